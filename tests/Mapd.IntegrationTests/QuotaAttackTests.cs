using Mapd.IntegrationTests.Infrastructure;

namespace Mapd.IntegrationTests;

/// <summary>
/// Issue 9, item 2: a uid that holds its quota of sessions, connections, Watch streams, regions or bytes is
/// refused more, with RESOURCE_EXHAUSTED naming the quota and its key, and nobody else is:
/// not another uid, not root.
/// </summary>
public sealed class QuotaAttackTests
{
    private const string Hog = SwitchUser.Nobody;
    private const string OtherHog = "65532";
    private const string Victim = "65533";

    [AttackFact]
    public async Task A_session_hog_at_its_quota_is_refused_and_another_uid_and_root_are_not()
    {
        var (daemon, metrics) = await StartAsync(new() { ["Mapd:Quota:Sessions"] = "4" });
        await using var _ = daemon;
        await using var hog = Attacker.Start("flood.py", Hog, [Path.Join(daemon.SocketDirectory, "mapd-fd.sock"), "session", "6", "greet"]);
        Assert.Equal("connected 6", await hog.ReadLineAsync());

        // The hog reads its two REFUSED frames after the four WELCOMEs, when it gets the CPU.
        await SessionTests.Eventually(async () => await hog.StatusAsync() is var s && s["welcomed"] == 4 && s["refused"] == 2);
        var status = await hog.StatusAsync();
        var hogsClient = await ClientProcess.RunAsync(daemon, Hog, "create", Status.UniqueName("hog"), "4096");
        var victim = await ClientProcess.RunAsync(daemon, Victim, "create", Status.UniqueName("victim"), "4096");
        var root = await ClientProcess.RunAsync(daemon, null, "create", Status.UniqueName("root"), "4096");
        var scrape = await PrometheusText.ScrapeAsync(new Uri(metrics, "/metrics"));

        Assert.Equal(4, status["welcomed"]);
        Assert.Equal(2, status["refused"]);
        Assert.Equal("uid 65534 already holds 4 sessions on mapd-fd.sock, its quota (Mapd:Quota:Sessions = 4); end some of them, or ask the operator to raise Mapd:Quota:Sessions", hog.Refusal);
        Assert.StartsWith("error ResourceExhausted mapd refused a session on", hogsClient);
        Assert.Contains("(Mapd:Quota:Sessions = 4)", hogsClient, StringComparison.Ordinal);
        Assert.Equal("ok created owner 65533 gid 65533", victim);
        Assert.Equal("ok created owner 0 gid 0", root);
        Assert.Equal(3, PrometheusText.Value(scrape, "mapd_quota_refusals_total", "resource=\"sessions\"", "limit=\"uid\""));
    }

    [AttackFact]
    public async Task Ordinary_uids_together_never_take_what_root_and_the_daemon_keep()
    {
        // 12 sessions: 4 per ordinary uid, 4 kept for root and the daemon's uid.
        var (daemon, metrics) = await StartAsync(new()
        {
            ["Mapd:Limits:MaxSessions"] = "12",
            ["Mapd:Quota:Sessions"] = "4",
            ["Mapd:Quota:Privileged:Sessions"] = "4",
        });
        await using var _ = daemon;
        var socket = Path.Join(daemon.SocketDirectory, "mapd-fd.sock");
        await using var hog = Attacker.Start("flood.py", Hog, [socket, "session", "4", "greet"]);
        await using var otherHog = Attacker.Start("flood.py", OtherHog, [socket, "session", "4", "greet"]);
        Assert.Equal("connected 4", await hog.ReadLineAsync());
        Assert.Equal("connected 4", await otherHog.ReadLineAsync());
        await SessionTests.Eventually(async () => (await hog.StatusAsync())["welcomed"] + (await otherHog.StatusAsync())["welcomed"] == 8);

        var victim = await ClientProcess.RunAsync(daemon, Victim, "create", Status.UniqueName("victim"), "4096");
        var root = await ClientProcess.RunAsync(daemon, null, "create", Status.UniqueName("root"), "4096");
        var scrape = await PrometheusText.ScrapeAsync(new Uri(metrics, "/metrics"));

        Assert.StartsWith("error ResourceExhausted mapd refused a session on", victim);
        Assert.Contains("users other than root and mapd's own already hold 8 sessions", victim, StringComparison.Ordinal);
        Assert.Contains("Mapd:Quota:Privileged:Sessions", victim, StringComparison.Ordinal);
        Assert.Equal("ok created owner 0 gid 0", root);
        Assert.Equal(1, PrometheusText.Value(scrape, "mapd_quota_refusals_total", "resource=\"sessions\"", "limit=\"reserve\""));
    }

    [AttackFact("py:grpc")]
    public async Task A_connection_hog_at_its_quota_gets_RESOURCE_EXHAUSTED_for_every_call_and_another_uid_is_served()
    {
        var (daemon, metrics) = await StartAsync(new() { ["Mapd:Quota:Connections"] = "4" });
        await using var _ = daemon;
        var grpcSocket = Path.Join(daemon.SocketDirectory, "mapd.sock");

        // Four connections that said the HTTP/2 preface, so no deadline ends them.
        await using var hog = Attacker.Start("flood.py", Hog, [grpcSocket, "grpc", "4", "greet"]);
        Assert.Equal("connected 4", await hog.ReadLineAsync());
        await SessionTests.Eventually(async () => PrometheusText.Value(await PrometheusText.ScrapeAsync(new Uri(metrics, "/metrics")), "mapd_connections") == 4);

        // The same uid's next connection: the C# client (grpc-dotnet) and grpcio (C core) both read the answer.
        var dotnet = await ClientProcess.RunAsync(daemon, Hog, "status", "anything");
        await using var python = Attacker.Start("watches.py", Hog, [grpcSocket, "1"]);
        var pythonWatch = await python.ReadLineAsync();
        var pythonRefusal = await python.ReadLineAsync();
        var victim = await ClientProcess.RunAsync(daemon, Victim, "create", Status.UniqueName("victim"), "4096");
        var scrape = await PrometheusText.ScrapeAsync(new Uri(metrics, "/metrics"));

        Assert.Equal("error ResourceExhausted uid 65534 already holds 4 connections to mapd.sock, its quota (Mapd:Quota:Connections = 4); end some of them, or ask the operator to raise Mapd:Quota:Connections", dotnet);
        Assert.Equal("watching 0 refused 1", pythonWatch);
        Assert.Equal("refusal RESOURCE_EXHAUSTED uid 65534 already holds 4 connections to mapd.sock, its quota (Mapd:Quota:Connections = 4); end some of them, or ask the operator to raise Mapd:Quota:Connections", pythonRefusal);
        Assert.Equal("ok created owner 65533 gid 65533", victim);
        Assert.True(PrometheusText.Value(scrape, "mapd_quota_refusals_total", "resource=\"connections\"", "limit=\"uid\"") >= 2, scrape);
    }

    [AttackFact("py:grpc")]
    public async Task A_watch_hog_at_its_quota_is_refused_and_another_uid_watches()
    {
        var (daemon, metrics) = await StartAsync(new() { ["Mapd:Quota:Watches"] = "4" });
        await using var _ = daemon;
        var grpcSocket = Path.Join(daemon.SocketDirectory, "mapd.sock");

        await using var hog = Attacker.Start("watches.py", Hog, [grpcSocket, "6"]);
        var hogs = await hog.ReadLineAsync();
        var refusal = await hog.ReadLineAsync();
        await using var victim = Attacker.Start("watches.py", Victim, [grpcSocket, "2"]);
        var victims = await victim.ReadLineAsync();
        var scrape = await PrometheusText.ScrapeAsync(new Uri(metrics, "/metrics"));

        Assert.Equal("watching 4 refused 2", hogs);
        Assert.Equal("refusal RESOURCE_EXHAUSTED uid 65534 already holds 4 Watch streams, its quota (Mapd:Quota:Watches = 4); end some of them, or ask the operator to raise Mapd:Quota:Watches", refusal);
        Assert.Equal("watching 2 refused 0", victims);
        Assert.Equal(6, PrometheusText.Value(scrape, "mapd_watches"));
        Assert.Equal(2, PrometheusText.Value(scrape, "mapd_quota_refusals_total", "resource=\"watches\"", "limit=\"uid\""));
    }

    [AttackFact]
    public async Task A_uid_at_its_quota_of_regions_or_bytes_is_refused_and_another_uid_and_root_create()
    {
        var (daemon, metrics) = await StartAsync(new() { ["Mapd:Quota:Regions"] = "2", ["Mapd:Quota:Bytes"] = "1M" });
        await using var _ = daemon;
        for (var i = 0; i < 2; i++)
        {
            Assert.StartsWith("ok created owner 65534", await ClientProcess.RunAsync(daemon, Hog, "create", Status.UniqueName("hog"), "4096"));
        }

        Assert.StartsWith("ok created owner 65532", await ClientProcess.RunAsync(daemon, OtherHog, "create", Status.UniqueName("big"), "1048576"));

        var thirdRegion = await ClientProcess.RunAsync(daemon, Hog, "create", Status.UniqueName("hog"), "4096");
        var pastBytes = await ClientProcess.RunAsync(daemon, OtherHog, "create", Status.UniqueName("more"), "4096");
        var victim = await ClientProcess.RunAsync(daemon, Victim, "create", Status.UniqueName("victim"), "1048576");
        var root = await ClientProcess.RunAsync(daemon, null, "create", Status.UniqueName("root"), (8 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var scrape = await PrometheusText.ScrapeAsync(new Uri(metrics, "/metrics"));

        Assert.StartsWith("error ResourceExhausted", thirdRegion);
        Assert.Contains("uid 65534 already owns 2 regions (Mapd:Quota:Regions = 2)", thirdRegion, StringComparison.Ordinal);
        Assert.StartsWith("error ResourceExhausted", pastBytes);
        Assert.Contains("(Mapd:Quota:Bytes = 1M)", pastBytes, StringComparison.Ordinal);
        Assert.Equal("ok created owner 65533 gid 65533", victim);
        Assert.Equal("ok created owner 0 gid 0", root);
        Assert.Equal(1, PrometheusText.Value(scrape, "mapd_quota_refusals_total", "resource=\"regions\"", "limit=\"uid\""));
        Assert.Equal(1, PrometheusText.Value(scrape, "mapd_quota_refusals_total", "resource=\"bytes\"", "limit=\"uid\""));
    }

    private static Task<(MapdDaemon, Uri)> StartAsync(Dictionary<string, string> settings)
    {
        settings["Mapd:SocketMode"] = "0666";
        return MetricsDaemon.StartAsync(new MapdDaemonOptions { StorageSize = "64M", Settings = settings });
    }
}
