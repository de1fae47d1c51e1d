using System.Text.RegularExpressions;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Mapd.IntegrationTests.Infrastructure;
using Mapd.Protocol.V1;

namespace Mapd.IntegrationTests;

/// <summary>
/// Requests that are not well-formed gRPC or protobuf, sent by hand over HTTP/2: each gets a
/// precise status with a message that says what to do, is counted in
/// <c>mapd_errors_total{code}</c>, is logged without a stack trace and at most once a second
/// per peer, and the daemon keeps serving.
/// </summary>
public sealed partial class MalformedRequestTests(MeteredDaemon shared) : IClassFixture<MeteredDaemon>, IAsyncLifetime, IDisposable
{
    private const string Create = "/mapd.v1.Regions/Create";

    // A zero tag never parses, whatever the message.
    private static readonly byte[] Unparsable = [0x00];

    private readonly RawGrpc _raw = new(Path.Join(shared.Daemon.SocketDirectory, "mapd.sock"));

    public static TheoryData<string> RegionsMethods => [.. Regions.Descriptor.Methods.Select(m => m.Name)];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Whatever the test sent, the daemon still serves and has logged no stack trace.
        await using (var client = await shared.Daemon.ConnectAsync())
        {
            var name = Infrastructure.Status.UniqueName("alive");
            await using (await client.CreateAsync(name, 4096))
            {
            }

            await client.DeleteAsync(name);
        }

        AssertNoStackTrace(shared.Daemon.Log);
    }

    public void Dispose() => _raw.Dispose();

    [Theory]
    [MemberData(nameof(RegionsMethods))]
    public async Task A_message_that_does_not_parse_is_invalid_argument_and_counted(string method)
    {
        var request = Regions.Descriptor.FindMethodByName(method).InputType;
        var before = await shared.ErrorsAsync("INVALID_ARGUMENT");

        var answer = await _raw.CallAsync($"/mapd.v1.Regions/{method}", RawGrpc.Frame(Unparsable));

        Assert.Equal(StatusCode.InvalidArgument, answer.Code);
        Assert.Contains($"is not a {request.FullName} message", answer.Message, StringComparison.Ordinal);
        Assert.Contains("encode it from the service's .proto", answer.Message, StringComparison.Ordinal);
        Assert.Equal(before + 1, await shared.ErrorsAsync("INVALID_ARGUMENT"));
    }

    [Fact]
    public async Task Health_and_reflection_refuse_what_does_not_parse_the_same_way()
    {
        foreach (var (method, message) in new[]
        {
            ("/grpc.health.v1.Health/Check", "grpc.health.v1.HealthCheckRequest"),
            ("/grpc.health.v1.Health/Watch", "grpc.health.v1.HealthCheckRequest"),
            ("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", "grpc.reflection.v1.ServerReflectionRequest"),
            ("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", "grpc.reflection.v1alpha.ServerReflectionRequest"),
        })
        {
            var answer = await _raw.CallAsync(method, RawGrpc.Frame(Unparsable));
            Assert.True(answer.Code == StatusCode.InvalidArgument, $"{method}: {answer}");
            Assert.Contains($"is not a {message} message", answer.Message, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string, byte[], StatusCode, string> BadFraming => new()
    {
        { "a prefix cut short", [0, 0, 0], StatusCode.InvalidArgument, "ended inside a message prefix (3 of its 5 bytes" },
        { "a message cut short", [0, 0, 0, 0, 10, 0x0a, 0x08], StatusCode.InvalidArgument, "announced 10 bytes and 2 arrived" },
        { "no message", [], StatusCode.InvalidArgument, "ended without one" },
        { "two messages", [.. RawGrpc.Frame([]), .. RawGrpc.Frame([])], StatusCode.InvalidArgument, "takes exactly one request message" },
        { "bytes after the message", [.. RawGrpc.Frame([]), 0], StatusCode.InvalidArgument, "takes exactly one request message" },
        { "a flag of 2", [2, 0, 0, 0, 0], StatusCode.InvalidArgument, "starts with 2" },
        { "a flag of 255", "GET / HTTP/1.1\r\n"u8.ToArray(), StatusCode.InvalidArgument, "starts with 71" },
        { "a compressed message", RawGrpc.Frame([0x1f, 0x8b], flag: 1), StatusCode.Unimplemented, "does not accept compressed requests" },
        { "2 MiB announced", [0, 0, 0x20, 0, 0], StatusCode.ResourceExhausted, "2097152 bytes is above mapd's limit of 1048576 bytes" },
        { "4 GiB announced", [0, 0xff, 0xff, 0xff, 0xff], StatusCode.ResourceExhausted, "4294967295 bytes is above mapd's limit" },
    };

    [Theory]
    [MemberData(nameof(BadFraming))]
    public async Task Bad_framing_gets_a_precise_status_and_is_counted(string what, byte[] body, StatusCode code, string explanation)
    {
        var name = StatusCodeName.Of(code);
        var before = await shared.ErrorsAsync(name);

        var answer = await _raw.CallAsync(Create, body);

        Assert.True(answer.Code == code, $"{what}: {answer}");
        Assert.Contains(explanation, answer.Message, StringComparison.Ordinal);
        Assert.Equal(before + 1, await shared.ErrorsAsync(name));
    }

    [Fact]
    public async Task A_message_of_almost_the_limit_still_parses()
    {
        // A Watch naming 4,000 regions of 200 characters: 812 KB, under the 1 MiB limit.
        var request = new WatchRequest();
        request.Names.AddRange(Enumerable.Range(0, 4000).Select(i => $"{i:D5}" + new string('w', 195)));

        var answer = await _raw.CallAsync("/mapd.v1.Regions/Watch", RawGrpc.Frame(Google.Protobuf.MessageExtensions.ToByteArray(request)));

        Assert.Equal(StatusCode.NotFound, answer.Code);
        Assert.Contains("does not exist", answer.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/json")]
    [InlineData("application/grpc-web")]
    public async Task A_wrong_content_type_is_415_and_invalid_argument(string contentType)
    {
        var before = await shared.ErrorsAsync("INVALID_ARGUMENT");

        var answer = await _raw.CallAsync(Create, RawGrpc.Frame([]), contentType);

        Assert.Equal(415, answer.HttpStatus);
        Assert.Equal(StatusCode.InvalidArgument, answer.Code);
        Assert.Contains("send it as Content-Type application/grpc", answer.Message, StringComparison.Ordinal);
        Assert.Equal(before + 1, await shared.ErrorsAsync("INVALID_ARGUMENT"));
    }

    [Fact]
    public async Task An_unknown_method_is_unimplemented_and_counted()
    {
        var before = await shared.ErrorsAsync("UNIMPLEMENTED");

        var answer = await _raw.CallAsync("/mapd.v1.Regions/Explode", RawGrpc.Frame([]));

        Assert.Equal(StatusCode.Unimplemented, answer.Code);
        Assert.Equal(before + 1, await shared.ErrorsAsync("UNIMPLEMENTED"));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0, 0 })]
    [InlineData(new byte[] { 0, 0, 0, 0, 9, 0x0a })]
    public async Task A_call_abandoned_inside_its_request_is_cancelled_quietly(byte[] start)
    {
        var before = await shared.ErrorsAsync("CANCELLED");

        await _raw.AbandonAsync(Create, start, TimeSpan.FromMilliseconds(200));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await shared.ErrorsAsync("CANCELLED") == before && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(before + 1 == await shared.ErrorsAsync("CANCELLED"), shared.Daemon.Log);
    }

    [Fact]
    public async Task A_flood_of_bad_requests_is_logged_at_most_once_a_second()
    {
        // Garbage for at least 2.5 s, until two lines have come out (30 s at most on a loaded machine).
        var before = MalformedLines(shared.Daemon.Log);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var calls = 0;
        while ((clock.Elapsed < TimeSpan.FromSeconds(2.5) || MalformedLines(shared.Daemon.Log) - before < 2) && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var answer = await _raw.CallAsync(Create, RawGrpc.Frame(Unparsable));
            Assert.Equal(StatusCode.InvalidArgument, answer.Code);
            calls++;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var lines = MalformedLines(shared.Daemon.Log) - before;
        Assert.True(lines >= 2 && lines <= (int)Math.Ceiling(seconds) + 1, $"{lines} lines for {calls} calls in {seconds:F1} s:\n{shared.Daemon.Log}");

        // Each line names the peer and says how many lines it stands for.
        Assert.Matches(@$"uid \d+ pid {Environment.ProcessId} answered InvalidArgument", shared.Daemon.Log);
        Assert.Matches(@"\(([1-9]\d*) more such lines from this peer held back\)", shared.Daemon.Log);
    }

    private static int MalformedLines(string log) => log.Split('\n').Count(l => l.Contains("answered InvalidArgument", StringComparison.Ordinal) && l.Contains(" pid ", StringComparison.Ordinal));

    /// <summary>Fails on any stack frame or error-level line in the daemon's output.</summary>
    internal static void AssertNoStackTrace(string log)
    {
        var frame = StackFrame().Match(log);
        Assert.False(frame.Success, $"the daemon logged a stack trace ({frame.Value}):\n{log}");
        Assert.DoesNotContain("fail:", log, StringComparison.Ordinal);
        Assert.DoesNotContain("crit:", log, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\bat [\w.`<>]+\.[\w<>`]+\(|--- End of stack trace")]
    private static partial Regex StackFrame();
}
