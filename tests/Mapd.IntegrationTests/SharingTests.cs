using Mapd.Client;
using Mapd.IntegrationTests.Infrastructure;

namespace Mapd.IntegrationTests;

/// <summary>Separate processes share one region's bytes through descriptors the daemon hands out.</summary>
public sealed class SharingTests(SharedDaemon shared) : IClassFixture<SharedDaemon>
{
    private MapdDaemon Daemon => shared.Daemon;

    [Fact]
    public async Task A_pattern_written_by_one_process_is_read_by_another()
    {
        var name = Status.UniqueName("share");
        Assert.Equal("ok wrote 12582912", await ClientProcess.RunAsync(Daemon, null, "create-write", name, "12582912", "7"));
        Assert.Equal("ok verified 12582912", await ClientProcess.RunAsync(Daemon, null, "verify", name, "7"));

        // A third process rewrites with another seed; the reader must see the new bytes, not a copy.
        Assert.Equal("ok wrote 12582912", await ClientProcess.RunAsync(Daemon, null, "write", name, "8"));
        Assert.Equal("ok verified 12582912", await ClientProcess.RunAsync(Daemon, null, "verify", name, "8"));
        Assert.StartsWith("error Mismatch", await ClientProcess.RunAsync(Daemon, null, "verify", name, "7"));
    }

    [Fact]
    public async Task Writes_through_a_lease_are_seen_live_by_a_process_holding_the_mapping()
    {
        var name = Status.UniqueName("live");
        await using var mapd = await Daemon.ConnectAsync();
        using var region = await mapd.CreateAsync(name, 1 << 20);
        Fill(region, 3);

        await using var holder = ClientProcess.Start(Daemon, null, "hold", name, "3");
        Assert.Equal("ok verified 1048576", await holder.ReadLineAsync());

        Fill(region, 4);
        await holder.WriteLineAsync("check");
        Assert.StartsWith("error Mismatch", await holder.ReadLineAsync());
        Fill(region, 3);
        await holder.WriteLineAsync("check");
        Assert.Equal("ok verified 1048576", await holder.ReadLineAsync());
    }

    [Fact]
    public async Task A_read_only_open_gives_a_descriptor_that_cannot_be_mapped_for_writing()
    {
        var name = Status.UniqueName("ro");
        Assert.StartsWith("ok", await ClientProcess.RunAsync(Daemon, null, "create-write", name, "65536", "1"));
        Assert.StartsWith("error EACCES", await ClientProcess.RunAsync(Daemon, null, "map-write", name));
    }

    [Fact]
    public async Task Mappings_are_2MiB_aligned_and_expose_the_whole_region_through_windows()
    {
        var name = Status.UniqueName("align");
        await using var mapd = await Daemon.ConnectAsync();
        using var region = await mapd.CreateAsync(name, (3 << 20) + 5);
        using var lease = region.AcquireLease();
        Assert.Equal(0, lease.Address % (2 << 20));
        Assert.Equal((3 << 20) + 5, lease.Length);
        lease.GetSpan(lease.Length - 5, 5).Fill(9);
        Assert.Equal(9, lease.GetReadOnlySpan(lease.Length - 1, 1)[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => lease.GetSpan(lease.Length - 4, 5));
    }

    [Fact]
    public async Task Many_threads_open_regions_concurrently_and_each_gets_its_own_descriptor()
    {
        await using var mapd = await Daemon.ConnectAsync();
        var names = Enumerable.Range(0, 8).Select(i => Status.UniqueName($"conc{i}")).ToArray();
        for (var i = 0; i < names.Length; i++)
        {
            using var created = await mapd.CreateAsync(names[i], 1 << 16);
            Fill(created, (ulong)i + 100);
        }

        // 64 concurrent opens over 8 regions: a descriptor matched to the wrong call would show the wrong seed.
        var opens = Enumerable.Range(0, 64).Select(async i =>
        {
            var index = i % names.Length;
            await using var region = await mapd.OpenAsync(names[index], RegionAccess.ReadOnly);
            return FindMismatch(region, (ulong)index + 100);
        });
        Assert.All(await Task.WhenAll(opens), bad => Assert.Equal(-1, bad));
    }

    [Fact]
    public async Task The_daemon_hears_of_the_last_dispose_after_the_linger_unless_the_name_is_reopened()
    {
        var name = Status.UniqueName("linger");
        await using var mapd = await Daemon.ConnectAsync(new MapdClientOptions { CloseLinger = TimeSpan.FromSeconds(2) });
        await using (await mapd.CreateAsync(name, 4096))
        {
        }

        // Lingering: still registered, so a quick re-open costs one call and no Close is lost in between.
        Assert.Equal(1, (await mapd.GetAsync(name)).Mappers);
        await using (var again = await mapd.OpenAsync(name, RegionAccess.ReadOnly))
        {
            Assert.Equal(1, (await mapd.GetAsync(name)).Mappers);
        }

        await SessionTests.Eventually(async () => (await mapd.GetAsync(name)).Mappers == 0);
    }

    internal static unsafe void Fill(MappedRegion region, ulong seed)
    {
        using var lease = region.AcquireLease();
        TestClient.Pattern.Fill(lease.Pointer, lease.Length, seed);
    }

    internal static unsafe long FindMismatch(MappedRegion region, ulong seed, long length = long.MaxValue)
    {
        using var lease = region.AcquireLease();
        return TestClient.Pattern.FindMismatch(lease.Pointer, Math.Min(length, lease.Length), seed);
    }
}
