using System.Globalization;
using Grpc.Core;
using Mapd.Client;
using Mapd.IntegrationTests.Infrastructure;
using Mapd.Protocol.V1;
using Status = Mapd.IntegrationTests.Infrastructure.Status;

namespace Mapd.IntegrationTests;

/// <summary>
/// The daemon's file descriptors stay within its budget however many regions it serves, and
/// running out of them costs one request a RESOURCE_EXHAUSTED, never the daemon.
/// </summary>
public sealed class DescriptorTests
{
    [Fact]
    public async Task Opening_many_regions_both_ways_keeps_the_daemon_within_its_descriptor_cache()
    {
        const int cache = 32;
        var (daemon, baseUrl) = await MetricsDaemon.StartAsync(new Dictionary<string, string> { ["Mapd:Limits:MaxCachedDescriptors"] = cache.ToString(CultureInfo.InvariantCulture) });
        await using var _ = daemon;
        await using var creator = await daemon.ConnectAsync();
        await using var reader = await daemon.ConnectAsync();

        // The runtime opens each assembly the first time its code runs: run every path once first.
        await ExerciseAsync(creator, reader, baseUrl);
        var before = OpenDescriptors(daemon.Pid);

        var names = Enumerable.Range(0, 6 * cache).Select(i => $"fd-{i}").ToList();
        foreach (var name in names)
        {
            using var created = await creator.CreateAsync(name, 4096);
            using var opened = await reader.OpenAsync(name, RegionAccess.ReadOnly);
        }

        var after = OpenDescriptors(daemon.Pid);
        var text = await PrometheusText.ScrapeAsync(new Uri(baseUrl, "/metrics"));

        // Both clients' sessions and gRPC connections were open before: only the cache may grow.
        Assert.True(after <= before + cache, $"the daemon went from {before} to {after} descriptors serving {names.Count} regions both ways with a cache of {cache}");
        Assert.InRange(PrometheusText.Value(text, "mapd_descriptors_cached") ?? -1, 1, cache);
        Assert.Equal(names.Count, (await creator.ListAsync()).Count);
    }

    [RequiresToolsFact("prlimit")]
    public async Task Out_of_descriptors_an_open_is_RESOURCE_EXHAUSTED_and_the_daemon_serves_on_once_there_is_room()
    {
        var (daemon, baseUrl) = await MetricsDaemon.StartAsync(new Dictionary<string, string> { ["Mapd:Limits:MaxCachedDescriptors"] = "16" });
        await using var _ = daemon;
        await using var client = await daemon.ConnectAsync();
        foreach (var i in Enumerable.Range(0, 40))
        {
            (await client.CreateAsync($"emfile-{i}", 4096)).Dispose();
        }

        // The earliest regions' descriptors were evicted; with no descriptor number left below the
        // limit, reopening one fails. The paths involved ran once already, so the runtime has
        // the assemblies they need open.
        await ExerciseAsync(client, client, baseUrl);
        await SetSoftLimitAsync(daemon.Pid, LowestFreeDescriptor(daemon.Pid));
        var (code, message) = await Status.Of(() => client.OpenAsync("emfile-0", RegionAccess.ReadOnly));
        var described = await client.GetAsync("emfile-0");
        await SetSoftLimitAsync(daemon.Pid, 20_000);
        using var reopened = await client.OpenAsync("emfile-0", RegionAccess.ReadOnly);
        var text = await PrometheusText.ScrapeAsync(new Uri(baseUrl, "/metrics"));

        Assert.Equal(StatusCode.ResourceExhausted, code);
        Assert.Contains("out of file descriptors", message, StringComparison.Ordinal);
        Assert.Equal(4096, described.Size);
        Assert.Equal(4096, reopened.Size);
        Assert.True(PrometheusText.Value(text, "mapd_descriptor_exhausted_total", "where=\"open\"") >= 1, text);
        Assert.True(PrometheusText.Value(text, "mapd_errors_total", "code=\"RESOURCE_EXHAUSTED\"") >= 1, text);
    }

    [RequiresToolsFact("prlimit")]
    public async Task Out_of_descriptors_the_close_that_frees_a_deleted_region_keeps_its_session_and_the_region_is_freed_once_there_is_room()
    {
        var (daemon, baseUrl) = await MetricsDaemon.StartAsync();
        await using var _ = daemon;
        await using var client = await daemon.ConnectAsync();
        await using var other = await daemon.ConnectAsync();
        await ExerciseAsync(client, other, baseUrl);
        await SessionTests.Eventually(async () => (await client.Grpc.ListSessionsAsync(new ListSessionsRequest())).Sessions.All(s => s.Regions.Count == 0));
        var region = await client.CreateAsync("gone", 1 << 20);
        await other.DeleteAsync("gone");
        var charged = (await client.Grpc.StatusAsync(new StatusRequest())).UsedBytes;

        // Freeing the deleted file needs a descriptor, and there is none: the CLOSE must not cost the session.
        await SetSoftLimitAsync(daemon.Pid, LowestFreeDescriptor(daemon.Pid));
        region.Dispose();
        await SessionTests.Eventually(async () => (await client.Grpc.ListSessionsAsync(new ListSessionsRequest())).Sessions.All(s => s.Regions.Count == 0));
        var starved = await client.Grpc.StatusAsync(new StatusRequest());
        await SetSoftLimitAsync(daemon.Pid, 20_000);
        await SessionTests.Eventually(async () => (await client.Grpc.StatusAsync(new StatusRequest())).UsedBytes == charged - (1 << 20));
        using var after = await client.CreateAsync("after", 4096);
        var text = await PrometheusText.ScrapeAsync(new Uri(baseUrl, "/metrics"));

        Assert.Equal(2U, starved.Sessions);
        Assert.Equal(charged, starved.UsedBytes);
        Assert.Equal(4096, after.Size);
        Assert.True(PrometheusText.Value(text, "mapd_descriptor_exhausted_total", "where=\"cleanup\"") >= 1, text);
    }

    private static int OpenDescriptors(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    private static int LowestFreeDescriptor(int pid)
    {
        var used = Directory.GetFiles($"/proc/{pid}/fd").Select(p => int.Parse(Path.GetFileName(p), CultureInfo.InvariantCulture)).ToHashSet();
        var free = 0;
        while (used.Contains(free))
        {
            free++;
        }

        return free;
    }

    /// <summary>Runs create, open, a refusal, list, get, resize, close, delete and a scrape once.</summary>
    private static async Task ExerciseAsync(MapdClient one, MapdClient other, Uri baseUrl)
    {
        var name = Status.UniqueName("warm");
        using (var created = await one.CreateAsync(name, 4096))
        using (await other.OpenAsync(name, RegionAccess.ReadOnly))
        {
            await created.ResizeAsync(8192);
            await Status.Of(() => one.CreateAsync(name, 4096));
            await one.ListAsync();
            await one.GetAsync(name);
        }

        await one.DeleteAsync(name);
        await PrometheusText.ScrapeAsync(new Uri(baseUrl, "/metrics"));
    }

    private static async Task SetSoftLimitAsync(int pid, int soft)
    {
        var (exit, output) = await TestTools.RunAsync(TestTools.Require("prlimit"), ["--pid", pid.ToString(CultureInfo.InvariantCulture), $"--nofile={soft}:"]);
        Assert.True(exit == 0, output);
    }
}
