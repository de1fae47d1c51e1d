using System.Net;
using Grpc.Health.V1;
using Mapd.IntegrationTests.Infrastructure;

namespace Mapd.IntegrationTests;

/// <summary>Health and discovery as operators' tools see them: grpc.health.v1, server reflection, /healthz.</summary>
public sealed class HealthTests : IAsyncLifetime
{
    private MapdDaemon? _daemon;
    private Uri? _baseUrl;

    private MapdDaemon Daemon => _daemon!;

    private Uri BaseUrl => _baseUrl!;

    public async Task InitializeAsync() => (_daemon, _baseUrl) = await MetricsDaemon.StartAsync();

    public async Task DisposeAsync()
    {
        if (_daemon is not null)
        {
            await _daemon.DisposeAsync();
        }
    }

    [Fact]
    public async Task Grpc_health_says_SERVING_for_the_server_and_for_mapd_v1_Regions()
    {
        using var channel = UnixGrpc.Channel(Path.Join(Daemon.SocketDirectory, "mapd.sock"));
        var health = new Health.HealthClient(channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(
            HealthCheckResponse.Types.ServingStatus.Serving,
            (await health.CheckAsync(new HealthCheckRequest { Service = "mapd.v1.Regions" })).Status);
    }

    [Fact]
    public async Task Reflection_lists_mapd_v1_Regions_in_both_protocol_versions()
    {
        using var channel = UnixGrpc.Channel(Path.Join(Daemon.SocketDirectory, "mapd.sock"));

        var v1 = new Grpc.Reflection.V1.ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
        await v1.RequestStream.WriteAsync(new Grpc.Reflection.V1.ServerReflectionRequest { ListServices = string.Empty });
        await v1.RequestStream.CompleteAsync();
        Assert.True(await v1.ResponseStream.MoveNext(CancellationToken.None));
        var services = v1.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("mapd.v1.Regions", services);
        Assert.Contains("grpc.health.v1.Health", services);

        // grpcurl and older tools fall back to v1alpha.
        var alpha = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
        await alpha.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { FileContainingSymbol = "mapd.v1.Regions" });
        await alpha.RequestStream.CompleteAsync();
        Assert.True(await alpha.ResponseStream.MoveNext(CancellationToken.None));
        Assert.NotEmpty(alpha.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto);
    }

    [Fact]
    public async Task Healthz_answers_Healthy_and_the_metrics_port_serves_nothing_else()
    {
        using var http = new HttpClient();
        using var healthz = await http.GetAsync(new Uri(BaseUrl, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal("Healthy", await healthz.Content.ReadAsStringAsync());

        // gRPC lives on the Unix socket only, where callers are known by SO_PEERCRED.
        using var grpc = await http.PostAsync(new Uri(BaseUrl, "/mapd.v1.Regions/List"), new ByteArrayContent([0, 0, 0, 0, 0]));
        Assert.Equal(HttpStatusCode.NotFound, grpc.StatusCode);
    }

    [Fact]
    public async Task Mapd_healthcheck_exits_0_when_healthy_and_1_when_nothing_answers()
    {
        var (exit, output) = await TestTools.RunAsync(TestEnvironment.DotnetHost, [TestEnvironment.DaemonDll, "healthcheck", $"--Mapd:Metrics:Url={BaseUrl}"]);
        Assert.True(exit == 0, output);
        Assert.Contains("200 Healthy", output, StringComparison.Ordinal);

        // The same setting from the environment, as in the container image.
        (exit, output) = await TestTools.RunAsync(
            TestEnvironment.DotnetHost,
            [TestEnvironment.DaemonDll, "healthcheck"],
            environment: new Dictionary<string, string> { ["Mapd__Metrics__Url"] = $"http://127.0.0.1:{TestTools.FreePort()}" });
        Assert.Equal(1, exit);
        Assert.StartsWith("mapd healthcheck: ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://0.0.0.0:9464", "is not a loopback address")]
    [InlineData("http://10.1.2.3:9464", "is not a loopback address")]
    [InlineData("https://127.0.0.1:9464", "is not an http:// URL")]
    public async Task A_metrics_url_off_loopback_is_refused_with_one_line(string url, string reason)
    {
        var run = Directory.CreateTempSubdirectory("mapd-it-run-").FullName;
        try
        {
            var (exit, output) = await DaemonCommand.RunToExitAsync([$"--Mapd:SocketDirectory={run}", $"--Mapd:Metrics:Url={url}", $"--Mapd:Storage:Path=/dev/shm/{Path.GetFileName(run)}"]);
            Assert.Equal(78, exit);
            var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("mapd: ", StringComparison.Ordinal));
            Assert.Contains(reason, line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }
}
