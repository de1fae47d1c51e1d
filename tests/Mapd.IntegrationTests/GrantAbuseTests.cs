using Grpc.Core;
using Mapd.Client;
using Mapd.IntegrationTests.Infrastructure;
using Status = Mapd.IntegrationTests.Infrastructure.Status;

namespace Mapd.IntegrationTests;

/// <summary>
/// Attacks by another uid that holds a grant, or held one: a read-write grant may change the
/// bytes, never the length, never the memory the daemon accounts for, and never what others
/// see. Each attacker is a separate process running as uid 65534.
/// </summary>
public sealed class GrantAbuseTests
{
    private const long MiB = 1 << 20;

    [RequiresRootFact("runs the attacker as another uid")]
    public async Task A_grantee_that_cuts_the_file_short_sees_its_length_set_back_and_is_named_and_counted()
    {
        var (daemon, baseUrl) = await MetricsDaemon.StartAsync(new Dictionary<string, string> { ["Mapd:SocketMode"] = "0666" });
        await using var _ = daemon;
        await using var owner = await daemon.ConnectAsync();
        await using var region = await owner.CreateAsync("victim", 4 * MiB, mode: 0b110_110_110);
        await using var reader = ClientProcess.Start(daemon, null, "hold-read", "victim");
        Assert.Equal("ok holding 4194304", await reader.ReadLineAsync());

        await using var attacker = ClientProcess.Start(daemon, SwitchUser.Nobody, "truncate", "victim", "0");
        Assert.Equal("ok truncated 0", await attacker.ReadLineAsync());
        var file = Path.Join(daemon.StoragePath, "regions", "victim");
        await SessionTests.Eventually(() => Task.FromResult(new FileInfo(file).Length == 4 * MiB));

        // The reader touches every page of its mapping again: the length is back, no SIGBUS.
        await reader.WriteLineAsync("read");
        Assert.Equal("ok read 4194304", await reader.ReadLineAsync());
        var named = $"pid {attacker.Pid} uid 65534 (";
        await SessionTests.Eventually(() => Task.FromResult(daemon.Log.Split('\n').Any(l => l.Contains("Set it back", StringComparison.Ordinal) && l.Contains(named, StringComparison.Ordinal))), () => $"the log does not name '{named}':\n{daemon.Log}");
        var text = await PrometheusText.ScrapeAsync(new Uri(baseUrl, "/metrics"));
        Assert.True(PrometheusText.Value(text, "mapd_length_repairs_total", "kind=\"length\"") >= 1, text);
        Assert.Equal(4 * MiB, (await owner.GetAsync("victim")).Size);
    }

    [RequiresRootFact("runs the attacker as another uid")]
    public async Task A_grantee_that_grows_the_file_past_its_grant_sees_it_cut_back()
    {
        await using var daemon = await MapdDaemon.StartAsync("256M", new Dictionary<string, string> { ["Mapd:SocketMode"] = "0666" });
        await using var owner = await daemon.ConnectAsync();
        await using var region = await owner.CreateAsync("victim", 4 * MiB, mode: 0b110_110_110);

        await using var attacker = ClientProcess.Start(daemon, SwitchUser.Nobody, "truncate", "victim", (200 * MiB).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal($"ok truncated {200 * MiB}", await attacker.ReadLineAsync());

        var file = Path.Join(daemon.StoragePath, "regions", "victim");
        await SessionTests.Eventually(() => Task.FromResult(new FileInfo(file).Length == 4 * MiB));
        await daemon.WaitForLogAsync("Set it back");
    }

    [RequiresRootFact("runs the attacker as another uid")]
    public async Task A_descriptor_kept_past_its_session_keeps_the_deleted_regions_memory_charged_and_cannot_grow_it()
    {
        await using var daemon = await MapdDaemon.StartAsync("256M", new Dictionary<string, string> { ["Mapd:SocketMode"] = "0666" });
        await using var owner = await daemon.ConnectAsync();
        await using (await owner.CreateAsync("kept", 100 * MiB, mode: 0b110_110_110))
        {
        }

        await using var attacker = ClientProcess.Start(daemon, SwitchUser.Nobody, "keep-fd", "kept");
        Assert.Equal("ok kept", await attacker.ReadLineAsync());
        await owner.DeleteAsync("kept");
        await daemon.WaitForLogAsync("a process still holds its file open");

        // Its 100 MiB stay taken while the attacker holds the file: a region that would need them does not fit.
        Assert.Equal(StatusCode.ResourceExhausted, (await Status.Of(() => owner.CreateAsync("after", 200 * MiB))).Code);

        // Growing the unlinked file and filling it is cut back: the memory never escapes the ledger.
        await attacker.WriteLineAsync($"grow {300 * MiB}");
        Assert.StartsWith("ok grew", await attacker.ReadLineAsync());
        await daemon.WaitForLogAsync("Region kept: its file was");

        attacker.CloseInput();
        Assert.Equal(0, await attacker.WaitForExitAsync());
        await SessionTests.Eventually(async () => (await Status.Of(async () => { await using var r = await owner.CreateAsync("after", 200 * MiB); })).Code == StatusCode.OK);
    }

    [RequiresRootFact("runs the other user as another uid")]
    public async Task Another_user_lists_and_describes_only_the_regions_it_may_open()
    {
        await using var daemon = await MapdDaemon.StartAsync("256M", new Dictionary<string, string> { ["Mapd:SocketMode"] = "0666" });
        await using var owner = await daemon.ConnectAsync();
        await using var secret = await owner.CreateAsync("secret", MiB, mode: 0b110_000_000);
        await using var shared = await owner.CreateAsync("shared", MiB, mode: 0b110_100_100);

        Assert.Equal("ok shared", await ClientProcess.RunAsync(daemon, SwitchUser.Nobody, "list"));
        Assert.StartsWith("error PermissionDenied", await ClientProcess.RunAsync(daemon, SwitchUser.Nobody, "status", "secret"));
        Assert.StartsWith("ok size 1048576", await ClientProcess.RunAsync(daemon, SwitchUser.Nobody, "status", "shared"));
        Assert.Equal(["secret", "shared"], (await owner.ListAsync()).Select(r => r.Name).Order());
    }

    [RequiresRootFact("runs the watcher as another uid")]
    public async Task Another_user_watching_everything_sees_only_the_regions_it_may_open_and_no_mappers_pids()
    {
        await using var daemon = await MapdDaemon.StartAsync("256M", new Dictionary<string, string> { ["Mapd:SocketMode"] = "0666" });
        await using var owner = await daemon.ConnectAsync();
        await using var watcher = ClientProcess.Start(daemon, SwitchUser.Nobody, "watch-all");
        Assert.Equal("ready", await watcher.ReadLineAsync());

        await using var secret = await owner.CreateAsync("secret", MiB, mode: 0b110_000_000);
        await using var shared = await owner.CreateAsync("shared", MiB, mode: 0b110_100_100);
        await owner.ResizeAsync("secret", 2 * MiB);
        await owner.ResizeAsync("shared", 2 * MiB);

        // One subscription delivers in order: secret's resize, were it shown, would come before shared's.
        var seen = new List<string>();
        while (seen.LastOrDefault() != "event Resized shared")
        {
            seen.Add(await watcher.ReadLineAsync());
        }

        var asStranger = await ClientProcess.RunAsync(daemon, SwitchUser.Nobody, "mappers", "shared");
        var asRoot = await ClientProcess.RunAsync(daemon, null, "mappers", "shared");

        Assert.DoesNotContain(seen, line => line.EndsWith(" secret", StringComparison.Ordinal));
        Assert.Equal(["event Resized shared"], seen);
        Assert.Equal("ok count 1 pids ", asStranger);
        Assert.Equal($"ok count 1 pids {Environment.ProcessId}", asRoot);
    }

    [RequiresRootFact("mounts a tmpfs of a known size")]
    public async Task A_region_as_large_as_the_capacity_is_refused_when_metadata_took_part_of_the_tmpfs_and_what_fits_fills_without_SIGBUS()
    {
        await using var daemon = await MapdDaemon.StartAsync("16M");
        await using var owner = await daemon.ConnectAsync();

        var (code, message) = await Status.Of(() => owner.CreateAsync("whole", 16 * MiB));
        Assert.Equal(StatusCode.ResourceExhausted, code);
        Assert.Contains("storage filesystem has", message, StringComparison.Ordinal);

        // What statfs says is free, less a page for the region's own metadata file, fits and fills.
        var free = new DriveInfo(daemon.StoragePath).AvailableFreeSpace;
        var size = (free - (2 * 4096)) / 4096 * 4096;
        Assert.StartsWith("ok wrote", await ClientProcess.RunAsync(daemon, null, "create-write", "fits", size.ToString(System.Globalization.CultureInfo.InvariantCulture), "3"));
        Assert.Equal($"ok verified {size}", await ClientProcess.RunAsync(daemon, null, "verify", "fits", "3"));
    }
}
