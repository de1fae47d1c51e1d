using System.Globalization;
using Mapd.IntegrationTests.Infrastructure;

namespace Mapd.IntegrationTests;

/// <summary>
/// The daemon refuses bad set-ups with one line and an exit status that says what kind of
/// failure it was (78 a setting, 73 the storage, 69 a socket taken), and applies socket settings.
/// </summary>
public sealed class StartupTests
{
    [Fact]
    public async Task Storage_that_is_not_tmpfs_is_refused_with_one_line()
    {
        var onDisk = Path.Join(TestEnvironment.RepositoryRoot, "tests", "Mapd.IntegrationTests", "bin", $"not-tmpfs-{Guid.NewGuid():N}");
        var run = Directory.CreateTempSubdirectory("mapd-it-run-").FullName;
        try
        {
            var (exit, output) = await DaemonCommand.RunToExitAsync([$"--Mapd:Storage:Path={onDisk}", $"--Mapd:SocketDirectory={run}", "--Mapd:Metrics:Url="]);
            Assert.Equal(73, exit);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Single(lines, l => l.StartsWith("mapd: ", StringComparison.Ordinal));
            Assert.Contains("is not on tmpfs", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(onDisk, recursive: true);
            Directory.Delete(run, recursive: true);
        }
    }

    [RequiresRootFact("runs the daemon as uid 65534 to check it reports the missing privilege")]
    public async Task Mounting_without_the_privilege_is_refused_with_one_line()
    {
        var root = Directory.CreateTempSubdirectory("mapd-it-noprivilege-").FullName;
        File.SetUnixFileMode(root, (UnixFileMode)0b111_111_111);
        try
        {
            var (exit, output) = await DaemonCommand.RunToExitAsync(
                [$"--Mapd:Storage:Path={root}/storage", "--Mapd:Storage:Mount=true", $"--Mapd:SocketDirectory={root}/run", "--Mapd:Metrics:Url="],
                SwitchUser.Nobody);
            Assert.Equal(73, exit);
            Assert.Contains("mapd: Mapd:Storage:Mount=true needs CAP_SYS_ADMIN", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_second_daemon_on_the_same_storage_or_sockets_is_refused()
    {
        await using var daemon = await MapdDaemon.StartAsync();
        var otherRun = Directory.CreateTempSubdirectory("mapd-it-run-").FullName;
        try
        {
            var (exit, output) = await DaemonCommand.RunToExitAsync([$"--Mapd:Storage:Path={daemon.StoragePath}", $"--Mapd:SocketDirectory={otherRun}", "--Mapd:Metrics:Url="]);
            Assert.Equal(73, exit);
            Assert.Contains("locked by another running mapd", output, StringComparison.Ordinal);

            var otherStorage = Path.Join("/dev/shm", $"mapd-it-other-{Guid.NewGuid():N}");
            (exit, output) = await DaemonCommand.RunToExitAsync([$"--Mapd:Storage:Path={otherStorage}", $"--Mapd:SocketDirectory={daemon.SocketDirectory}", "--Mapd:Metrics:Url="]);
            Assert.Equal(69, exit);
            Assert.Contains("another mapd is serving", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(otherRun, recursive: true);
        }
    }

    [Fact]
    public async Task Socket_files_get_the_configured_mode_and_group()
    {
        var gid = Native.ProcessIdentity.Gid.ToString(CultureInfo.InvariantCulture);
        await using var daemon = await MapdDaemon.StartAsync("64M", new Dictionary<string, string> { ["Mapd:SocketMode"] = "0640", ["Mapd:SocketGroup"] = gid });
        foreach (var socket in new[] { "mapd.sock", "mapd-fd.sock" })
        {
            var path = Path.Join(daemon.SocketDirectory, socket);
            Assert.Equal((UnixFileMode)0b110_100_000, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public async Task Sigterm_stops_cleanly_and_a_restart_serves_the_same_regions()
    {
        await using var daemon = await MapdDaemon.StartAsync();
        Assert.StartsWith("ok", await ClientProcess.RunAsync(daemon, null, "create-write", "term", "4096", "61"));
        var exit = await daemon.StopAsync();
        Assert.True(exit == 0, $"exit code {exit}:\n{daemon.Log}");
        Assert.False(File.Exists(Path.Join(daemon.SocketDirectory, "mapd-fd.sock")));
        await daemon.RestartAsync();
        Assert.Equal("ok verified 4096", await ClientProcess.RunAsync(daemon, null, "verify", "term", "61"));
    }

    [Fact]
    public async Task Bad_configuration_is_refused_with_one_line()
    {
        var (exit, output) = await DaemonCommand.RunToExitAsync(["--Mapd:SocketMode=rw-rw----", "--Mapd:Metrics:Url="]);
        Assert.Equal(78, exit);
        Assert.Contains("mapd: Mapd:SocketMode 'rw-rw----' is not an octal mode", output, StringComparison.Ordinal);
    }
}
