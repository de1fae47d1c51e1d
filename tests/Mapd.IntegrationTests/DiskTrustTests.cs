using System.Diagnostics;
using System.Globalization;
using Mapd.IntegrationTests.Infrastructure;

namespace Mapd.IntegrationTests;

/// <summary>
/// Issue 9, item 6: the daemon trusts nothing on disk that another user could have written. It
/// refuses to start on a storage or socket directory others may write, and sets aside whatever
/// in its storage it never wrote, starting anyway.
/// </summary>
public sealed class DiskTrustTests
{
    [Fact]
    public async Task A_world_writable_storage_root_is_refused_with_one_line()
    {
        // A tmpfs mounted without mode= is 1777.
        var storage = Path.Join("/dev/shm", $"mapd-it-1777-{Guid.NewGuid():N}");
        var run = Directory.CreateTempSubdirectory("mapd-it-run-").FullName;
        Directory.CreateDirectory(storage);
        File.SetUnixFileMode(storage, (UnixFileMode)0b001_111_111_111);
        try
        {
            var (exit, output) = await DaemonCommand.RunToExitAsync([$"--Mapd:Storage:Path={storage}", $"--Mapd:SocketDirectory={run}", "--Mapd:Metrics:Url="]);

            Assert.Equal(73, exit); // EX_CANTCREAT: the storage cannot be used
            Assert.Equal($"mapd: storage {storage} is writable by everyone (mode 01777), who could forge its metadata or swap region files; chmod go-w it, or mount the tmpfs with mode=0700", OneLine(output));
            Assert.Empty(Directory.GetFileSystemEntries(storage));
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
            Directory.Delete(run, recursive: true);
        }
    }

    [RequiresRootFact("gives a storage subdirectory to uid 65534")]
    public async Task A_storage_subdirectory_another_user_created_is_refused_with_one_line()
    {
        var storage = Path.Join("/dev/shm", $"mapd-it-precreated-{Guid.NewGuid():N}");
        var run = Directory.CreateTempSubdirectory("mapd-it-run-").FullName;
        Directory.CreateDirectory(storage);
        File.SetUnixFileMode(storage, (UnixFileMode)0b111_000_000);
        var meta = Path.Join(storage, "meta");
        Directory.CreateDirectory(meta);
        File.SetUnixFileMode(meta, (UnixFileMode)0b111_000_000);
        await ChownAsync(meta, "65534:65534");
        try
        {
            var (exit, output) = await DaemonCommand.RunToExitAsync([$"--Mapd:Storage:Path={storage}", $"--Mapd:SocketDirectory={run}", "--Mapd:Metrics:Url="]);

            Assert.Equal(73, exit); // EX_CANTCREAT: the storage cannot be used
            Assert.StartsWith($"mapd: storage {meta} belongs to uid 65534, not to this daemon's uid 0", OneLine(output));
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
            Directory.Delete(run, recursive: true);
        }
    }

    [Fact]
    public async Task A_group_writable_socket_directory_is_refused_unless_its_group_is_the_SocketGroup()
    {
        var root = MapdDaemon.NewRoot("mapd-it-groupdir-");
        var run = Path.Join(root, "run");
        File.SetUnixFileMode(run, (UnixFileMode)0b111_111_101);
        var gid = Native.Files.TryStatPath(run)!.Value.Gid.ToString(CultureInfo.InvariantCulture);
        var storage = Path.Join("/dev/shm", Path.GetFileName(root));
        try
        {
            var (exit, output) = await DaemonCommand.RunToExitAsync([$"--Mapd:Storage:Path={storage}", $"--Mapd:SocketDirectory={run}", "--Mapd:Metrics:Url="]);
            Assert.Equal(78, exit); // EX_CONFIG: the socket directory must be set up differently
            Assert.StartsWith($"mapd: socket directory {run} is writable by group {gid} (mode 0775)", OneLine(output));
            Assert.Contains($"set Mapd:SocketGroup={gid}", output, StringComparison.Ordinal);

            // Shared with that group on purpose: the daemon starts, and says what it means.
            await using var trusting = await MapdDaemon.StartAsync(new MapdDaemonOptions { Root = root, MountStorage = false, Settings = new Dictionary<string, string> { ["Mapd:SocketGroup"] = gid } });
            await trusting.WaitForLogAsync($"Socket directory {run} is writable by group {gid} (Mapd:SocketGroup)");
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    [Fact]
    public async Task What_mapd_never_wrote_in_its_storage_is_quarantined_and_the_daemon_starts_anyway()
    {
        var (daemon, metrics) = await MetricsDaemon.StartAsync(new MapdDaemonOptions { StorageSize = "64M" });
        await using var _ = daemon;
        var bad = new[] { "linked", "dir", "fifo", "huge", "absurd" };
        Assert.Equal("ok wrote 65536", await ClientProcess.RunAsync(daemon, null, "create-write", "good", "65536", "21"));
        foreach (var name in bad)
        {
            Assert.StartsWith("ok", await ClientProcess.RunAsync(daemon, null, "create-write", name, "4096", "1"));
        }

        await daemon.KillAsync();
        var meta = Path.Join(daemon.StoragePath, "meta");
        Replace(Path.Join(meta, "linked.json"), path => File.CreateSymbolicLink(path, "/etc/shadow"));
        Replace(Path.Join(meta, "dir.json"), path => Directory.CreateDirectory(path));
        Replace(Path.Join(meta, "fifo.json"), path => Run("mkfifo", path));
        Replace(Path.Join(meta, "huge.json"), path => File.WriteAllBytes(path, new byte[17 << 20]));
        var absurd = File.ReadAllText(Path.Join(meta, "absurd.json")).Replace("\"size\": 4096", "\"size\": 18446744073709551615", StringComparison.Ordinal);
        File.WriteAllText(Path.Join(meta, "absurd.json"), absurd);
        await daemon.RestartAsync();

        var verified = await ClientProcess.RunAsync(daemon, null, "verify", "good", "21");
        var gone = await ClientProcess.RunAsync(daemon, null, "status", "linked");
        var quarantined = Directory.GetFileSystemEntries(Path.Join(daemon.StoragePath, "quarantine")).Select(Path.GetFileName).ToList();
        var scrape = await PrometheusText.ScrapeAsync(new Uri(metrics, "/metrics"));

        Assert.Equal("ok verified 65536", verified);
        Assert.StartsWith("error NotFound", gone);
        Assert.All(bad, name => Assert.Contains(quarantined, q => q!.StartsWith($"meta.{name}.json.", StringComparison.Ordinal)));
        Assert.All(bad, name => Assert.Contains(quarantined, q => q!.StartsWith($"regions.{name}.", StringComparison.Ordinal)));
        Assert.Equal(2 * bad.Length, PrometheusText.Value(scrape, "mapd_quarantined_total"));
        await daemon.WaitForLogAsync("is a FIFO, not a regular file");
        await daemon.WaitForLogAsync("more than the 1048576 any such file may have");
    }

    private static string OneLine(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return Assert.Single(lines, l => l.StartsWith("mapd: ", StringComparison.Ordinal));
    }

    private static void Replace(string path, Action<string> with)
    {
        File.Delete(path);
        with(path);
    }

    private static void Run(string tool, params string[] arguments)
    {
        using var process = Process.Start(tool, arguments);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    private static async Task ChownAsync(string path, string owner)
    {
        var (exit, output) = await TestTools.RunAsync("chown", [owner, path]);
        Assert.True(exit == 0, output);
    }
}
