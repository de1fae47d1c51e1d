using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using Grpc.Core;
using Mapd.IntegrationTests.Infrastructure;
using Mapd.Protocol.V1;
using Xunit.Abstractions;

namespace Mapd.IntegrationTests;

/// <summary>
/// The real daemon's gRPC surface under random and mutated requests to every Regions method,
/// and garbage on its socket: every call ends with a status the contract names (never UNKNOWN,
/// INTERNAL or none), the daemon keeps serving, and its log has no stack trace. The number of
/// calls is <c>MAPD_GRPC_FUZZ_CALLS</c> (default 4,000 per run; the seed is fixed, so a failure
/// reproduces).
/// </summary>
public sealed class GrpcSurfaceFuzzTests(ITestOutputHelper output)
{
    private static readonly HashSet<StatusCode> Answers =
    [
        StatusCode.OK, StatusCode.InvalidArgument, StatusCode.NotFound, StatusCode.AlreadyExists, StatusCode.PermissionDenied,
        StatusCode.ResourceExhausted, StatusCode.FailedPrecondition, StatusCode.DeadlineExceeded, StatusCode.Unimplemented,
    ];

    [Fact]
    public async Task Random_and_mutated_requests_to_every_method_get_the_contract_s_statuses()
    {
        var calls = int.TryParse(Environment.GetEnvironmentVariable("MAPD_GRPC_FUZZ_CALLS"), CultureInfo.InvariantCulture, out var n) ? n : 4000;
        var (daemon, baseUrl) = await MetricsDaemon.StartAsync(new Dictionary<string, string> { ["Mapd:Grace:Timeout"] = "00:00:00.2" });
        await using var _ = daemon;
        await using var client = await daemon.ConnectAsync();
        var session = client.SessionHeaders.Select(h => new KeyValuePair<string, string>(h.Key, h.Value)).ToList();
        var methods = Regions.Descriptor.Methods;
        var counts = new ConcurrentDictionary<StatusCode, int>();
        var failures = new ConcurrentQueue<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Four clients at once, each its own seed; a resize that waits on a shrink gives up after 200 ms.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            using var raw = new RawGrpc(Path.Join(daemon.SocketDirectory, "mapd.sock"));
            var fuzzer = new RequestFuzzer(1000 + worker);
            var random = new Random(worker);
            for (var i = worker; i < calls && failures.Count < 10; i += 4)
            {
                var method = methods[random.Next(methods.Count)];
                var body = fuzzer.Body(method.InputType);
                List<KeyValuePair<string, string>> headers = [new("grpc-timeout", "200m"), .. random.Next(3) == 0 ? [] : session];
                var answer = await raw.CallAsync($"/mapd.v1.Regions/{method.Name}", body, headers: headers, streaming: method.IsServerStreaming);
                if (answer.Code is not { } code || !Answers.Contains(code) || (code != StatusCode.OK && answer.Message.Length == 0))
                {
                    failures.Enqueue($"{method.Name} {Convert.ToHexString(body)}: {answer}");
                    continue;
                }

                counts.AddOrUpdate(code, 1, (_, c) => c + 1);
            }
        })));

        output.WriteLine($"{calls} calls in {clock.Elapsed.TotalSeconds:F1} s: {string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{StatusCodeName.Of(c.Key)} {c.Value}"))}");
        Assert.True(failures.IsEmpty, string.Join('\n', failures));
        Assert.Equal(calls, counts.Values.Sum());

        // Still serving, and nothing was answered UNKNOWN or INTERNAL behind the test's back.
        var name = Infrastructure.Status.UniqueName("after");
        await using (await client.CreateAsync(name, 4096))
        {
        }

        await client.DeleteAsync(name);
        var metrics = await PrometheusText.ScrapeAsync(new Uri(baseUrl, "/metrics"));
        Assert.Equal(0, PrometheusText.Value(metrics, "mapd_errors_total", "code=\"UNKNOWN\"") ?? 0);
        Assert.Equal(0, PrometheusText.Value(metrics, "mapd_errors_total", "code=\"INTERNAL\"") ?? 0);
        MalformedRequestTests.AssertNoStackTrace(daemon.Log);
    }

    [Fact]
    public async Task Garbage_on_the_socket_is_dropped_and_the_daemon_keeps_serving()
    {
        await using var daemon = await MapdDaemon.StartAsync();
        var socket = Path.Join(daemon.SocketDirectory, "mapd.sock");
        var random = new Random(7);
        var preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

        // Random bytes; the HTTP/2 preface then random frames; HTTP/1.1; and a connection closed at once.
        for (var i = 0; i < 200; i++)
        {
            var garbage = new byte[random.Next(1, 4096)];
            random.NextBytes(garbage);
            byte[] bytes = (i % 4) switch
            {
                0 => garbage,
                1 => [.. preface, .. garbage],
                2 => "POST /mapd.v1.Regions/Ping HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n\0\0\0\0\0"u8.ToArray(),
                _ => [],
            };
            using var connection = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await connection.ConnectAsync(new UnixDomainSocketEndPoint(socket));
            try
            {
                await connection.SendAsync(bytes);
                connection.Shutdown(SocketShutdown.Send);
                using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                while (await connection.ReceiveAsync(new byte[4096], drain.Token) > 0)
                {
                }
            }
            catch (SocketException)
            {
                // The daemon may reset a connection that sent it garbage.
            }
        }

        await using var client = await daemon.ConnectAsync();
        var name = Infrastructure.Status.UniqueName("garbage");
        await using (await client.CreateAsync(name, 4096))
        {
        }

        await client.DeleteAsync(name);
        MalformedRequestTests.AssertNoStackTrace(daemon.Log);
    }
}
