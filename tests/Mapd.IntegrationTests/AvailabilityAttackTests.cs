using System.Diagnostics;
using System.Globalization;
using Mapd.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Mapd.IntegrationTests;

/// <summary>
/// Issue 9, item 1: one uid that floods the daemon's sockets with connections it never uses
/// cannot crash it, run it out of descriptors, or keep another uid from being served.
/// </summary>
[Collection(ExclusiveGroup.Name)]
public sealed class AvailabilityAttackTests(ITestOutputHelper output)
{
    private const string Attacker = SwitchUser.Nobody;
    private const string Victim = "65533";
    private const int Connections = 20_000;

    /// <summary>
    /// The default per-uid quota of sessions and of connections at RLIMIT_NOFILE 4096: the
    /// budget gives each half of what its own 384, the 64 refusal slots and 16 cached
    /// descriptors leave, and a uid a quarter of that.
    /// </summary>
    private const int QuotaAt4096 = (4096 - 384 - 64 - 16) / 2 / 4;

    [AttackFact]
    public async Task Twenty_thousand_idle_connections_to_mapd_sock_leave_the_daemon_up_and_another_uid_served()
    {
        var (daemon, metrics) = await StartLimitedAsync();
        await using var _ = daemon;
        var started = Stopwatch.StartNew();
        await using var floods = await FloodAsync(daemon, "mapd.sock", "grpc", "idle");
        var connected = started.Elapsed;

        // While the attacker keeps reconnecting whatever the daemon closes, another uid works.
        var (served, took) = await VictimCreatesAndOpensAsync(daemon);
        var attack = await floods.StatusAsync();

        // The victim may be done before the first idle connection reaches its 2 s preface deadline.
        var scrape = await PrometheusText.ScrapeUntilAsync(
            new Uri(metrics, "/metrics"), s => PrometheusText.Value(s, "mapd_handshake_timeouts_total", "socket=\"mapd.sock\"") > 0, TimeSpan.FromSeconds(60));
        var descriptors = OpenDescriptors(daemon.Pid);

        output.WriteLine($"{Connections} connects in {connected.TotalSeconds:F1} s; attacker status {string.Join(' ', attack)}; victim served in {took.TotalSeconds:F1} s; daemon descriptors {descriptors}");
        output.WriteLine(Lines(scrape, "mapd_quota_refusals_total{", "mapd_handshake_timeouts_total", "mapd_connections{", "mapd_descriptor_exhausted_total"));
        Assert.Equal(["ok wrote 65536", "ok verified 65536"], served);
        Assert.True(descriptors < 4096, $"the daemon holds {descriptors} descriptors of its 4096");
        Assert.True(attack["connects"] >= Connections);
        Assert.True(attack["closed"] > 0, "the daemon closed none of the idle connections");
        Assert.True(PrometheusText.Value(scrape, "mapd_quota_refusals_total", "resource=\"connections\"", "limit=\"uid\"") > 0, scrape);
        Assert.True(PrometheusText.Value(scrape, "mapd_handshake_timeouts_total", "socket=\"mapd.sock\"") > 0, scrape);
        Assert.Equal(0, PrometheusText.Value(scrape, "mapd_descriptor_exhausted_total", "where=\"accept\""));
        Assert.True(PrometheusText.Value(scrape, "mapd_connections") <= QuotaAt4096 + 1, scrape);
        await AssertStillServesAsync(daemon);
    }

    [AttackFact]
    public async Task Twenty_thousand_sessions_asked_for_by_one_uid_leave_the_daemon_up_and_another_uid_served()
    {
        var (daemon, metrics) = await StartLimitedAsync();
        await using var _ = daemon;
        await using var floods = await FloodAsync(daemon, "mapd-fd.sock", "session", "greet");

        var (served, took) = await VictimCreatesAndOpensAsync(daemon);
        var status = await floods.StatusAsync();
        var refusal = floods.Refusal;
        var scrape = await PrometheusText.ScrapeAsync(new Uri(metrics, "/metrics"));
        var descriptors = OpenDescriptors(daemon.Pid);

        output.WriteLine($"attacker status {string.Join(' ', status)}; {refusal}; victim served in {took.TotalSeconds:F1} s; daemon descriptors {descriptors}");
        output.WriteLine(Lines(scrape, "mapd_quota_refusals_total{", "mapd_sessions{"));
        Assert.Equal(["ok wrote 65536", "ok verified 65536"], served);
        Assert.True(descriptors < 4096, $"the daemon holds {descriptors} descriptors of its 4096");
        Assert.StartsWith("refusal uid 65534 already holds", refusal);
        Assert.Contains("Mapd:Quota:Sessions", refusal, StringComparison.Ordinal);
        Assert.True(PrometheusText.Value(scrape, "mapd_sessions") <= QuotaAt4096 + 1, scrape);
        Assert.True(PrometheusText.Value(scrape, "mapd_quota_refusals_total", "resource=\"sessions\"", "limit=\"uid\"") > 0, scrape);
        await AssertStillServesAsync(daemon);
    }

    [RequiresToolsFact("prlimit")]
    public async Task Out_of_descriptors_the_accept_loop_of_mapd_sock_waits_instead_of_spinning_and_serves_once_there_is_room()
    {
        var (daemon, metrics) = await MetricsDaemon.StartAsync(new MapdDaemonOptions { StorageSize = "64M" });
        await using var _ = daemon;
        await using (var warm = await daemon.ConnectAsync())
        {
            await warm.ListAsync();
        }

        await PrometheusText.ScrapeAsync(new Uri(metrics, "/metrics"));

        // No descriptor number left below the soft limit: every accept fails with EMFILE.
        await SetSoftLimitAsync(daemon.Pid, LowestFreeDescriptor(daemon.Pid));
        using var waiting = UnixGrpc.Channel(Path.Join(daemon.SocketDirectory, "mapd.sock"));
        var call = new Protocol.V1.Regions.RegionsClient(waiting).PingAsync(new Protocol.V1.PingRequest()).ResponseAsync;
        var cpuBefore = daemon.CpuTime();
        var wall = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var cpu = daemon.CpuTime() - cpuBefore;
        var answeredEarly = call.IsCompleted;
        await SetSoftLimitAsync(daemon.Pid, 20_000);
        await call.WaitAsync(TimeSpan.FromMinutes(1));
        var scrape = await PrometheusText.ScrapeAsync(new Uri(metrics, "/metrics"));

        output.WriteLine($"daemon CPU while out of descriptors: {cpu.TotalMilliseconds:F0} ms in {wall.Elapsed.TotalMilliseconds:F0} ms");
        Assert.False(answeredEarly);
        // A spinning accept loop burns a whole core: 3 s of CPU in 3 s.
        Assert.True(cpu < wall.Elapsed / 2, $"the daemon used {cpu.TotalMilliseconds} ms of CPU in {wall.Elapsed.TotalMilliseconds} ms with accept failing");
        Assert.True(PrometheusText.Value(scrape, "mapd_descriptor_exhausted_total", "where=\"accept\"") >= 1, scrape);
    }

    private static async Task<(MapdDaemon, Uri)> StartLimitedAsync() => await MetricsDaemon.StartAsync(new MapdDaemonOptions
    {
        StorageSize = "64M",
        Prefix = [TestTools.Require("prlimit"), "--nofile=4096:4096"],
        Settings = new Dictionary<string, string> { ["Mapd:SocketMode"] = "0666", ["Mapd:Limits:PrefaceTimeout"] = "00:00:02" },
        KeptLines = 500,
    });

    /// <summary>
    /// Starts <see cref="Connections"/> connections from the attacker uid, in as many processes as
    /// this machine's hard RLIMIT_NOFILE needs, each reconnecting what the daemon closes.
    /// </summary>
    private static async Task<FloodGroup> FloodAsync(MapdDaemon daemon, string socket, string kind, string mode)
    {
        var perProcess = Math.Min(Connections, HardOpenFileLimit() - 100);
        var group = new FloodGroup();
        for (var left = Connections; left > 0; left -= perProcess)
        {
            var count = Math.Min(left, perProcess);
            var flood = Infrastructure.Attacker.Start("flood.py", Attacker, [Path.Join(daemon.SocketDirectory, socket), kind, Count(count), mode, "churn"], openFiles: count + 64);
            group.Add(flood);
            Assert.Equal($"connected {count}", await flood.ReadLineAsync(TimeSpan.FromMinutes(5)));
        }

        return group;
    }

    private static int HardOpenFileLimit()
    {
        var line = File.ReadAllLines("/proc/self/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        return int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[4], CultureInfo.InvariantCulture);
    }

    private async Task<(string[] Answers, TimeSpan Took)> VictimCreatesAndOpensAsync(MapdDaemon daemon)
    {
        var name = Status.UniqueName("victim");
        var took = Stopwatch.StartNew();
        var wrote = await RunVictimAsync(daemon, "create-write", name, "65536", "7", "0644");
        var verified = await RunVictimAsync(daemon, "verify", name, "7");
        if (!wrote.StartsWith("ok", StringComparison.Ordinal) || !verified.StartsWith("ok", StringComparison.Ordinal))
        {
            output.WriteLine($"the daemon's log about uid {Victim}:\n{string.Join('\n', daemon.Log.Split('\n').Where(l => l.Contains($"uid {Victim}", StringComparison.Ordinal)))}");
        }

        return ([wrote, verified], took.Elapsed);
    }

    private async Task<string> RunVictimAsync(MapdDaemon daemon, params string[] command)
    {
        var (_, text) = await TestTools.RunAsync(
            TestTools.Require("setpriv"),
            [.. SwitchUser.Arguments(Victim), TestEnvironment.DotnetHost, PublicCopy.Of(TestEnvironment.TestClientDll), daemon.SocketDirectory, .. command],
            environment: new Dictionary<string, string> { ["HOME"] = "/tmp" });
        if (!text.StartsWith("ok", StringComparison.Ordinal))
        {
            output.WriteLine(text);
        }

        return text.Split('\n')[0];
    }

    private static async Task AssertStillServesAsync(MapdDaemon daemon)
    {
        var name = Status.UniqueName("after");
        Assert.Equal("ok wrote 4096", await ClientProcess.RunAsync(daemon, null, "create-write", name, "4096", "3"));
    }

    private static string Count(int count) => count.ToString(CultureInfo.InvariantCulture);

    private static string Lines(string scrape, params string[] prefixes) =>
        string.Join('\n', scrape.Split('\n').Where(l => prefixes.Any(p => l.StartsWith(p, StringComparison.Ordinal))));

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

    private static async Task SetSoftLimitAsync(int pid, int soft)
    {
        var (exit, text) = await TestTools.RunAsync(TestTools.Require("prlimit"), ["--pid", pid.ToString(CultureInfo.InvariantCulture), $"--nofile={soft}:"]);
        Assert.True(exit == 0, text);
    }

    /// <summary>The attacker's processes, one uid; their status summed.</summary>
    private sealed class FloodGroup : IAsyncDisposable
    {
        private readonly List<Infrastructure.Attacker> _floods = [];

        /// <summary>The first REFUSED message any of them read, as "refusal ...".</summary>
        public string Refusal { get; private set; } = "no refusal";

        public void Add(Infrastructure.Attacker flood) => _floods.Add(flood);

        public async Task<Dictionary<string, long>> StatusAsync()
        {
            var total = new Dictionary<string, long>();
            foreach (var flood in _floods)
            {
                foreach (var (key, value) in await flood.StatusAsync())
                {
                    total[key] = total.GetValueOrDefault(key) + value;
                }

                Refusal = Refusal == "no refusal" && flood.Refusal is { } refusal ? $"refusal {refusal}" : Refusal;
            }

            return total;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var flood in _floods)
            {
                flood.CloseInput();
                await flood.DisposeAsync();
            }
        }
    }
}
