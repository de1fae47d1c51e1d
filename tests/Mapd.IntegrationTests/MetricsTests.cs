using Mapd.Client;
using Mapd.IntegrationTests.Infrastructure;

namespace Mapd.IntegrationTests;

/// <summary>
/// The Prometheus endpoint of the real daemon: the documented names (as the OpenTelemetry
/// exporter renders them), values that follow what clients did, bounded labels, and an
/// exposition that promtool accepts.
/// </summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_have_the_documented_names_and_follow_what_clients_do()
    {
        var (daemon, baseUrl) = await MetricsDaemon.StartAsync();
        await using var _ = daemon;
        await using var client = await daemon.ConnectAsync();
        using (await client.CreateAsync("metrics-a", 4096))
        using (await client.CreateAsync("metrics-b", 3 * 4096))
        using (await client.OpenAsync("metrics-a", RegionAccess.ReadOnly))
        {
            Assert.Equal(Grpc.Core.StatusCode.NotFound, (await Status.Of(() => client.OpenAsync("metrics-missing"))).Code);
            var text = await PrometheusText.ScrapeAsync(new Uri(baseUrl, "/metrics"));

            Assert.Equal(2, PrometheusText.Value(text, "mapd_regions"));
            Assert.True(PrometheusText.Value(text, "mapd_region_bytes") >= 4 * 4096, text);
            Assert.True(PrometheusText.Value(text, "mapd_storage_capacity_bytes") >= 64 << 20, text);
            Assert.True(PrometheusText.Value(text, "mapd_storage_used_bytes") > 0, text);
            Assert.Equal(1, PrometheusText.Value(text, "mapd_sessions"));
            Assert.Equal(3, PrometheusText.Value(text, "mapd_fd_handoffs_total"));
            Assert.Equal(1, PrometheusText.Value(text, "mapd_session_opens_total"));
            Assert.Equal(1, PrometheusText.Value(text, "mapd_errors_total", "code=\"NOT_FOUND\""));
            Assert.Equal(0, PrometheusText.Value(text, "mapd_resizes_total", "direction=\"grow\""));
            Assert.Equal(0, PrometheusText.Value(text, "mapd_resizes_total", "direction=\"shrink\""));
            Assert.Equal(0, PrometheusText.Value(text, "mapd_grace_pending"));

            // Per-region series are off by default: their cardinality grows with the regions.
            Assert.DoesNotContain("mapd_region_size_bytes", text, StringComparison.Ordinal);

            var families = PrometheusText.Families(text);
            foreach (var family in new[]
            {
                "dotnet_gc_collections_total", "dotnet_process_memory_working_set_bytes", // runtime
                "process_cpu_time_seconds_total", "process_memory_usage_bytes", // process
                "kestrel_active_connections", "http_server_request_duration_seconds", // ASP.NET Core
            })
            {
                Assert.Contains(family, families);
            }
        }
    }

    [Fact]
    public async Task Opens_on_the_session_socket_are_counted_apart_from_open_calls()
    {
        var (daemon, baseUrl) = await MetricsDaemon.StartAsync();
        await using var _ = daemon;
        await using var socket = await daemon.ConnectAsync();
        await using var calls = await daemon.ConnectAsync(new MapdClientOptions { OpenOnSessionSocket = false });
        using (await socket.CreateAsync("counted", 4096))
        using (await socket.OpenAsync("counted", RegionAccess.ReadOnly))
        using (await calls.OpenAsync("counted", RegionAccess.ReadOnly))
        {
            var text = await PrometheusText.ScrapeAsync(new Uri(baseUrl, "/metrics"));

            Assert.Equal(3, PrometheusText.Value(text, "mapd_fd_handoffs_total"));
            Assert.Equal(1, PrometheusText.Value(text, "mapd_session_opens_total"));
            Assert.Equal(2, (await socket.GetAsync("counted")).Mappers);
        }
    }

    [Fact]
    public async Task Resizes_and_grace_periods_are_counted_and_timed()
    {
        var (daemon, baseUrl) = await MetricsDaemon.StartAsync();
        await using var _ = daemon;
        await using var client = await daemon.ConnectAsync();
        using (var region = await client.CreateAsync("metrics-resize", 4096))
        {
            await client.ResizeAsync("metrics-resize", 3 * 4096);

            // The shrink waits for this mapper, whose client library releases the tail.
            await client.ResizeAsync("metrics-resize", 4096);
            var text = await PrometheusText.ScrapeAsync(new Uri(baseUrl, "/metrics"));
            for (var i = 0; i < 100 && PrometheusText.Value(text, "mapd_resizes_total", "direction=\"shrink\"") != 1; i++)
            {
                await Task.Delay(100);
                text = await PrometheusText.ScrapeAsync(new Uri(baseUrl, "/metrics"));
            }

            Assert.Equal(1, PrometheusText.Value(text, "mapd_resizes_total", "direction=\"grow\""));
            Assert.Equal(1, PrometheusText.Value(text, "mapd_resizes_total", "direction=\"shrink\""));
            Assert.Equal(1, PrometheusText.Value(text, "mapd_resize_duration_seconds_count", "direction=\"grow\""));
            Assert.Equal(1, PrometheusText.Value(text, "mapd_resize_duration_seconds_bucket", "direction=\"grow\"", "le=\"+Inf\""));
            Assert.Equal(1, PrometheusText.Value(text, "mapd_grace_duration_seconds_count"));
            Assert.Equal(0, PrometheusText.Value(text, "mapd_grace_pending"));
        }
    }

    [Fact]
    public async Task A_refused_watch_is_answered_and_counted_like_a_refused_unary_call()
    {
        var (daemon, baseUrl) = await MetricsDaemon.StartAsync();
        await using var _ = daemon;
        var regions = new Protocol.V1.Regions.RegionsClient(UnixGrpc.Channel(Path.Join(daemon.SocketDirectory, SocketLocation.GrpcSocketName)));

        using var missing = regions.Watch(new Protocol.V1.WatchRequest { Names = { "watch-missing" } });
        var notFound = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => missing.ResponseStream.MoveNext(CancellationToken.None));
        using var bad = regions.Watch(new Protocol.V1.WatchRequest { Names = { "../bad" } });
        var invalid = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => bad.ResponseStream.MoveNext(CancellationToken.None));
        var text = await PrometheusText.ScrapeAsync(new Uri(baseUrl, "/metrics"));

        Assert.Equal(Grpc.Core.StatusCode.NotFound, notFound.StatusCode);
        Assert.Contains("'watch-missing' does not exist", notFound.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Equal(1, PrometheusText.Value(text, "mapd_errors_total", "code=\"NOT_FOUND\""));
        Assert.Equal(1, PrometheusText.Value(text, "mapd_errors_total", "code=\"INVALID_ARGUMENT\""));
    }

    [Fact]
    public async Task Per_region_series_are_capped_and_the_rest_summed()
    {
        var (daemon, baseUrl) = await MetricsDaemon.StartAsync(new Dictionary<string, string>
        {
            ["Mapd:Metrics:PerRegion"] = "true",
            ["Mapd:Metrics:MaxRegionSeries"] = "2",
        });
        await using var _ = daemon;
        await using var client = await daemon.ConnectAsync();
        var regions = new List<MappedRegion>();
        try
        {
            foreach (var (name, pages) in new[] { ("cap-small", 1), ("cap-large", 4), ("cap-medium", 2), ("cap-tiny", 1) })
            {
                regions.Add(await client.CreateAsync(name, pages * 4096L));
            }

            var text = await PrometheusText.ScrapeAsync(new Uri(baseUrl, "/metrics"));
            Assert.Equal(4 * 4096, PrometheusText.Value(text, "mapd_region_size_bytes", "region=\"cap-large\""));
            Assert.Equal(2 * 4096, PrometheusText.Value(text, "mapd_region_size_bytes", "region=\"cap-medium\""));
            Assert.Null(PrometheusText.Value(text, "mapd_region_size_bytes", "region=\"cap-small\""));
            Assert.Equal(2 * 4096, PrometheusText.Value(text, "mapd_region_size_bytes", "region=\".other\""));
            Assert.Equal(3, text.Split('\n').Count(l => l.StartsWith("mapd_region_size_bytes{", StringComparison.Ordinal)));
        }
        finally
        {
            regions.ForEach(r => r.Dispose());
        }
    }

    [RequiresToolsFact("promtool")]
    public async Task Scraped_metrics_pass_promtool_check_metrics()
    {
        var (daemon, baseUrl) = await MetricsDaemon.StartAsync(new Dictionary<string, string> { ["Mapd:Metrics:PerRegion"] = "true" });
        await using var _ = daemon;
        await using (var client = await daemon.ConnectAsync())
        using (await client.CreateAsync("promtool-a", 4096))
        {
            // Exercise errors, resizes and gRPC so that those series, histograms included, exist too.
            await Status.Of(() => client.OpenAsync("promtool-missing"));
            await Status.Of(() => client.CreateAsync("promtool-a", 4096));
            await client.ResizeAsync("promtool-a", 8192);
        }

        var text = await PrometheusText.ScrapeAsync(new Uri(baseUrl, "/metrics"));
        var (exit, output) = await TestTools.RunAsync(TestTools.Require("promtool"), ["check", "metrics"], standardInput: text);
        Assert.True(exit == 0, $"promtool check metrics exited {exit}:\n{output}\n--- scraped ---\n{text}");
    }
}
