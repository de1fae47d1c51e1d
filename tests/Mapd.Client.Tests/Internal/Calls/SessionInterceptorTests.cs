using Grpc.Core;
using Grpc.Core.Interceptors;
using Mapd.Client.Internal.Calls;
using Mapd.Client.Internal.Sessions;
using Mapd.Client.Tests.Fakes;
using Mapd.Protocol.V1;

namespace Mapd.Client.Tests.Internal.Calls;

public sealed class SessionInterceptorTests
{
    private static readonly Exception ResponseEnded = new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
    private readonly FakeDaemon _daemon = new();
    private readonly FakeSessions _sessions = new(new FakeSession("s1"));
    private readonly Regions.RegionsClient _client;

    public SessionInterceptorTests() =>
        _client = new Regions.RegionsClient(_daemon.Intercept(new SessionInterceptor(_sessions)));

    [Fact]
    public async Task A_call_gets_the_current_sessions_header_written_into_the_headers_it_was_given()
    {
        _daemon.On<GetRequest>("Get", (r, _) => new Region { Name = r.Name });
        var headers = new Metadata();

        await _client.GetAsync(new GetRequest { Name = "a" }, headers);

        Assert.Equal("s1", Assert.Single(_daemon.Calls).Session);
        Assert.Equal("s1", SessionState.IdIn(headers));
    }

    [Fact]
    public async Task A_call_pinned_to_a_session_passes_untouched_and_is_never_retried()
    {
        _daemon.On<CloseRequest>("Close", (_, _) => throw new RpcException(new Status(StatusCode.Unavailable, "mapd is shutting down")));
        var pinned = new SessionState(new FakeSession("old")).Headers;

        var e = await Assert.ThrowsAsync<RpcException>(async () => await _client.CloseAsync(new CloseRequest { Name = "a" }, pinned));

        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Equal("old", Assert.Single(_daemon.Calls).Session);
    }

    [Fact]
    public async Task A_create_the_daemon_refused_while_stopping_runs_again_on_the_next_session()
    {
        _daemon.On<CreateRequest>("Create", (r, headers) =>
        {
            if (SessionState.IdIn(headers) == "s1")
            {
                _sessions.Replace(new FakeSession("s2"));
                throw new RpcException(new Status(StatusCode.Unavailable, "mapd is shutting down; retry against the restarted daemon"));
            }

            return new OpenResponse { Region = new Region { Name = r.Name }, HandoffId = 9 };
        });
        var headers = new Metadata();

        var response = await _client.CreateAsync(new CreateRequest { Name = "a", Size = 1 }, headers);

        Assert.Equal(9UL, response.HandoffId);
        Assert.Equal(["s1", "s2"], _daemon.Of("Create").Select(c => c.Session));
        Assert.Equal("s2", SessionState.IdIn(headers));
        Assert.Single(headers, h => h.Key == SessionState.HeaderName);
    }

    [Fact]
    public async Task A_create_lost_on_its_way_is_not_sent_again_and_the_caller_learns_the_outcome_is_unknown()
    {
        _daemon.On<CreateRequest>("Create", (_, _) =>
        {
            _sessions.Replace(new FakeSession("s2"));
            throw new RpcException(new Status(StatusCode.Unavailable, "Error reading next message.", ResponseEnded));
        });

        var e = await Assert.ThrowsAsync<MapdException>(async () => await _client.CreateAsync(new CreateRequest { Name = "a", Size = 1 }));

        Assert.Equal(StatusCode.Unavailable, e.Code);
        Assert.Equal(CallPolicy.OutcomeUnknown, e.Message);
        Assert.Single(_daemon.Of("Create"));
    }

    [Fact]
    public async Task An_open_lost_on_its_way_is_sent_again_on_the_next_session()
    {
        _daemon.On<OpenRequest>("Open", (r, headers) =>
        {
            if (SessionState.IdIn(headers) == "s1")
            {
                _sessions.Replace(new FakeSession("s2"));
                throw new RpcException(new Status(StatusCode.Unavailable, "Error reading next message.", ResponseEnded));
            }

            return new OpenResponse { Region = new Region { Name = r.Name } };
        });

        await _client.OpenAsync(new OpenRequest { Name = "a" });

        Assert.Equal(["s1", "s2"], _daemon.Of("Open").Select(c => c.Session));
    }

    [Fact]
    public async Task A_retry_that_fails_again_is_reported_as_the_daemon_said()
    {
        _daemon.On<GetRequest>("Get", (_, headers) =>
        {
            if (SessionState.IdIn(headers) == "s1")
            {
                _sessions.Replace(new FakeSession("s2"));
                throw new RpcException(new Status(StatusCode.Unavailable, "mapd is shutting down"));
            }

            throw new RpcException(new Status(StatusCode.NotFound, "region 'a' does not exist"));
        });

        var e = await Assert.ThrowsAsync<MapdException>(async () => await _client.GetAsync(new GetRequest { Name = "a" }));

        Assert.Equal(StatusCode.NotFound, e.Code);
        Assert.Equal("region 'a' does not exist", e.Message);
        Assert.Equal(2, _daemon.Of("Get").Count);
    }

    [Fact]
    public async Task An_answer_is_not_a_loss_and_is_not_retried()
    {
        _daemon.On<DeleteRequest>("Delete", (_, _) => throw new RpcException(new Status(StatusCode.PermissionDenied, "uid 1000 may not delete 'a'")));

        var e = await Assert.ThrowsAsync<MapdException>(async () => await _client.DeleteAsync(new DeleteRequest { Name = "a" }));

        Assert.Equal(StatusCode.PermissionDenied, e.Code);
        Assert.Single(_daemon.Calls);
    }
}
