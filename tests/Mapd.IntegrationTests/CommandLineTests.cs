using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Mapd.IntegrationTests.Infrastructure;

namespace Mapd.IntegrationTests;

/// <summary>
/// <c>mapd</c>'s command line as an operator meets it: help and version that touch nothing,
/// typos refused instead of starting a daemon, fatal lines at error priority under journald,
/// and a second user's daemon that starts beside another's instead of fighting over the
/// metrics port.
/// </summary>
public sealed partial class CommandLineTests
{
    [Theory]
    [InlineData("--help", "Usage:")]
    [InlineData("-h", "Mapd:Storage:Path")]
    [InlineData("--version", "mapd ")]
    public async Task Help_and_version_print_and_exit_0_without_touching_sockets_or_storage(string argument, string expected)
    {
        var (sockets, storage) = UnusedPaths();
        var (exit, output) = await DaemonCommand.RunToExitAsync([$"--Mapd:SocketDirectory={sockets}", $"--Mapd:Storage:Path={storage}", argument]);

        Assert.True(exit == 0, $"exit {exit}: {output}");
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(sockets), $"{argument} created {sockets}");
        Assert.False(Directory.Exists(storage), $"{argument} created {storage}");
    }

    [Fact]
    public async Task Version_names_the_version_set_for_the_build()
    {
        var (exit, output) = await DaemonCommand.RunToExitAsync(["--version"]);
        Assert.Equal(0, exit);
        Assert.Matches(VersionLine(), output.Trim());
    }

    [Theory]
    [InlineData("--hlep")]
    [InlineData("start")]
    [InlineData("--Mapd:Storage:Size")]
    public async Task A_mistyped_argument_is_refused_with_one_line_and_exit_64_before_anything_starts(string argument)
    {
        var (sockets, storage) = UnusedPaths();

        // The typo first: configuration would take it as a key and the next argument as its value.
        var (exit, output) = await DaemonCommand.RunToExitAsync([argument, $"--Mapd:SocketDirectory={sockets}", $"--Mapd:Storage:Path={storage}"]);

        Assert.True(exit == 64, $"exit {exit}: {output}");
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mapd: ", line, StringComparison.Ordinal);
        Assert.Contains(argument, line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(sockets));
        Assert.False(Directory.Exists(storage));
    }

    [Fact]
    public async Task Under_journald_the_fatal_line_carries_error_priority()
    {
        var (sockets, storage) = UnusedPaths();
        var (exit, output) = await TestTools.RunAsync(
            TestEnvironment.DotnetHost,
            [TestEnvironment.DaemonDll, $"--Mapd:SocketDirectory={sockets}", $"--Mapd:Storage:Path={storage}", "--Mapd:Metrics:Url=", "--Mapd:Storage:HugePages=sometimes"],
            environment: new Dictionary<string, string> { ["JOURNAL_STREAM"] = "8:12345" });

        Assert.True(exit == 78, $"exit {exit}: {output}");
        Assert.Contains("<3>mapd: Mapd:Storage:HugePages is 'sometimes'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_default_port_taken_a_daemon_serves_metrics_on_a_free_port_and_says_where()
    {
        // Another user's daemon holds the default port; if something else already does, so much the better.
        using var other = HoldDefaultPort();
        await using var daemon = MapdDaemon.Launch(new MapdDaemonOptions { UnsetSettings = ["Mapd:Metrics:Url"] });
        var seen = new List<string>();
        await daemon.WaitReadyAsync(seen);

        var status = Assert.Single(seen, l => l.StartsWith("STATUS=Serving", StringComparison.Ordinal));
        var url = new Uri(MetricsUrl().Match(status).Value);
        Assert.NotEqual(9464, url.Port);
        await daemon.WaitForLogAsync($"Metrics on {url}");
        await daemon.WaitForLogAsync("the default port 9464 is taken");
        Assert.Contains("mapd_regions", await PrometheusText.ScrapeAsync(url), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_metrics_port_that_is_taken_stops_the_daemon_with_one_line_and_exit_69()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var root = MapdDaemon.NewRoot();
        var storage = $"/dev/shm/{Path.GetFileName(root)}";
        try
        {
            var (exit, output) = await DaemonCommand.RunToExitAsync(
                [$"--Mapd:SocketDirectory={root}/run", $"--Mapd:Storage:Path={storage}", $"--Mapd:Metrics:Url=http://127.0.0.1:{port}"]);

            Assert.True(exit == 69, $"exit {exit}: {output}");
            var fatal = Assert.Single(output.Split('\n'), l => l.StartsWith("mapd: ", StringComparison.Ordinal));
            Assert.Contains($"127.0.0.1:{port}", fatal, StringComparison.Ordinal);
            Assert.DoesNotContain("listening on", output, StringComparison.Ordinal);
            Assert.Contains("set Mapd:Metrics:Url", fatal, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
            Assert.False(Directory.Exists(storage), "the storage was opened before the port was checked");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            if (Directory.Exists(storage))
            {
                Directory.Delete(storage, recursive: true);
            }
        }
    }

    private static (string Sockets, string Storage) UnusedPaths()
    {
        var name = $"mapd-it-cli-{Guid.NewGuid():N}";
        return (Path.Join(Path.GetTempPath(), name), Path.Join("/dev/shm", name));
    }

    private static TcpListener? HoldDefaultPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 9464);
        try
        {
            listener.Start();
            return listener;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            listener.Dispose();
            return null;
        }
    }

    [GeneratedRegex(@"^mapd \d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9a-f]+)? \(protocol mapd\.v1, \.NET \d+\.\d+\.\d+, linux-[a-z0-9]+\)$")]
    private static partial Regex VersionLine();

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/metrics")]
    private static partial Regex MetricsUrl();
}
