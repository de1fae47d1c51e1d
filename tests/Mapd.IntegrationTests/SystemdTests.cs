using System.Text.RegularExpressions;
using Mapd.Client;

namespace Mapd.IntegrationTests;

/// <summary>
/// The daemon as systemd runs it: sd_notify on a NOTIFY_SOCKET the test provides, journald
/// logs, socket activation from LISTEN_FDS, and SIGTERM that drains without losing anything.
/// </summary>
public sealed partial class SystemdTests
{
    [Fact]
    public async Task Ready_status_and_stopping_arrive_on_the_notify_socket()
    {
        await using var daemon = MapdDaemon.Launch(Service());
        var seen = new List<string>();
        await daemon.WaitReadyAsync(seen);
        Assert.Contains(seen, m => m.StartsWith($"STATUS=Serving 0 regions on {daemon.SocketDirectory}", StringComparison.Ordinal));

        daemon.Terminate();
        Assert.Equal(0, await daemon.WaitForExitAsync());
        var all = daemon.Notify.All;
        Assert.True(all.ToList().IndexOf("STOPPING=1") > all.ToList().IndexOf("READY=1"), string.Join(" | ", all));
        Assert.Contains("STATUS=Stopping: draining calls and sessions", all);
    }

    [Fact]
    public async Task Under_journald_logs_carry_priorities_without_timestamps_or_colors()
    {
        await using var daemon = MapdDaemon.Launch(Service() with { Environment = new Dictionary<string, string?> { ["JOURNAL_STREAM"] = "8:12345" } });
        await daemon.WaitReadyAsync();
        daemon.Terminate();
        await daemon.WaitForExitAsync();

        var lines = daemon.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line =>
        {
            Assert.Matches(SyslogPriority(), line);
            Assert.DoesNotMatch(Timestamp(), line);
            Assert.DoesNotContain('\u001b', line);
        });
    }

    [RequiresToolsFact("systemd-socket-activate")]
    public async Task Socket_activation_serves_a_client_that_connected_before_the_daemon_started()
    {
        var root = MapdDaemon.NewRoot();
        var run = Path.Join(root, "run");

        // mapd.socket's two listeners, made by the real tool. It cannot mix socket types, so one
        // instance passes the SOCK_SEQPACKET socket on to a second that adds the stream socket;
        // without --accept each waits for the first connection before exec'ing the next. Each
        // passes only the environment it is told to, hence --setenv=NOTIFY_SOCKET twice.
        var activate = TestTools.Require("systemd-socket-activate");
        await using var daemon = MapdDaemon.Launch(Service() with
        {
            Root = root,
            Prefix =
            [
                activate, "--seqpacket", $"--listen={Path.Join(run, "mapd-fd.sock")}", "--setenv=NOTIFY_SOCKET",
                activate, $"--listen={Path.Join(run, "mapd.sock")}", "--fdname=mapd:mapd", "--setenv=NOTIFY_SOCKET",
            ],
        });

        // The client connects while no daemon runs; its HELLO waits in the socket's queue.
        await WaitForFileAsync(Path.Join(run, "mapd-fd.sock"), daemon);
        var connecting = MapdClient.ConnectAsync(new MapdClientOptions { SocketDirectory = run });
        await daemon.WaitReadyAsync();
        var client = await connecting;

        using (var region = await client.CreateAsync("activated", 8192))
        {
            Assert.Equal(8192, region.Size);
        }

        Assert.Single(await client.ListAsync(), r => r.Name == "activated");
        await daemon.WaitForLogAsync("inherited from systemd");
        await client.DisposeAsync();

        daemon.Terminate();
        Assert.Equal(0, await daemon.WaitForExitAsync());
        Assert.Contains("STOPPING=1", daemon.Notify.All);

        // The socket files belong to the socket unit, which keeps listening across restarts.
        Assert.True(File.Exists(Path.Join(run, "mapd.sock")));
        Assert.True(File.Exists(Path.Join(run, "mapd-fd.sock")));
    }

    [Fact]
    public async Task Sigterm_drains_in_flight_calls_and_loses_no_region()
    {
        var acknowledged = new List<string>();
        await using (var daemon = MapdDaemon.Launch(Service() with { Settings = new Dictionary<string, string> { ["Mapd:Grace:RecoveryWindow"] = "00:00:01" } }))
        {
            await daemon.WaitReadyAsync();
            var client = await MapdClient.ConnectAsync(new MapdClientOptions { SocketDirectory = daemon.SocketDirectory });
            try
            {
                using var stop = new CancellationTokenSource();
                var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
                {
                    for (var i = 0; !stop.IsCancellationRequested; i++)
                    {
                        var name = $"drain-{w}-{i}";
                        try
                        {
                            using var region = await client.CreateAsync(name, 4096);
                            lock (acknowledged)
                            {
                                acknowledged.Add(name);
                            }
                        }
                        catch (Exception)
                        {
                            // The daemon stopped under this call: it was not acknowledged.
                            return;
                        }
                    }
                })).ToList();

                while (Count(acknowledged) < 20)
                {
                    await Task.Delay(10);
                }

                daemon.Terminate();
                Assert.Equal(0, await daemon.WaitForExitAsync());
                await stop.CancelAsync();
                await Task.WhenAll(writers);
            }
            finally
            {
                await client.DisposeAsync();
            }

            // Every create that was answered OK is there after a restart on the same storage.
            await daemon.RestartAsync();
            await using var after = await daemon.ConnectAsync();
            var names = (await after.ListAsync()).Select(r => r.Name).ToHashSet();
            Assert.All(acknowledged, name => Assert.Contains(name, names));
        }
    }

    private static int Count(List<string> list)
    {
        lock (list)
        {
            return list.Count;
        }
    }

    /// <summary>The daemon as a service manager runs it: storage in a /dev/shm directory (the unit mounts none), 64 MiB.</summary>
    private static MapdDaemonOptions Service() => new() { MountStorage = false, StorageSize = "64M" };

    private static async Task WaitForFileAsync(string path, MapdDaemon daemon)
    {
        for (var i = 0; i < 300 && !File.Exists(path); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(File.Exists(path), $"{path} never appeared:\n{daemon.Log}");
    }

    [GeneratedRegex(@"^<[0-7]>")]
    private static partial Regex SyslogPriority();

    [GeneratedRegex(@"\d\d:\d\d:\d\d")]
    private static partial Regex Timestamp();
}
