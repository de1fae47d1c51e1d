using System.Net.Http;
using System.Net.Sockets;
using Grpc.Core;
using Mapd.Client.Internal.Calls;

namespace Mapd.Client.Tests.Internal;

public sealed class CallPolicyTests
{
    [Fact]
    public void The_daemon_refusing_a_call_while_it_stops_means_nothing_was_applied()
    {
        var e = new RpcException(new Status(StatusCode.Unavailable, "mapd is shutting down; retry against the restarted daemon"));

        Assert.True(CallPolicy.IsNotApplied(e, sessionClosed: false));
    }

    [Fact]
    public void A_connection_that_could_not_be_made_means_the_request_never_left()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (/run/mapd/mapd.sock)", new SocketException((int)SocketError.ConnectionRefused));
        var e = new RpcException(new Status(StatusCode.Unavailable, "Error starting gRPC call.", refused));

        Assert.True(CallPolicy.IsNotApplied(e, sessionClosed: false));
    }

    [Fact]
    public void A_connection_lost_with_the_call_on_it_leaves_the_outcome_unknown()
    {
        var ended = new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.", new IOException("The response ended prematurely."));
        var e = new RpcException(new Status(StatusCode.Unavailable, "Error reading next message.", ended));

        Assert.False(CallPolicy.IsNotApplied(e, sessionClosed: true));
    }

    [Fact]
    public void A_session_the_daemon_no_longer_knows_is_refused_before_anything_runs()
    {
        var e = new RpcException(new Status(StatusCode.FailedPrecondition, "session 0123 is not open"));

        Assert.True(CallPolicy.IsNotApplied(e, sessionClosed: true));
        Assert.False(CallPolicy.IsNotApplied(e, sessionClosed: false));
    }

    [Theory]
    [InlineData(StatusCode.NotFound)]
    [InlineData(StatusCode.AlreadyExists)]
    [InlineData(StatusCode.ResourceExhausted)]
    [InlineData(StatusCode.Internal)]
    public void Other_refusals_are_answers_not_losses(StatusCode code) =>
        Assert.False(CallPolicy.IsNotApplied(new RpcException(new Status(code, "no")), sessionClosed: true));
}
