using System.Net.Http;
using System.Net.Sockets;
using Grpc.Core;
using Mapd.Client.Internal.Calls;
using Mapd.Protocol.V1;

namespace Mapd.Client.Tests.Internal.Calls;

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

    [Fact]
    public void The_table_has_a_rule_for_every_call_of_the_contract()
    {
        var contract = Regions.Descriptor.Methods.Select(m => m.Name).Order(StringComparer.Ordinal);

        Assert.Equal(contract, CallPolicy.Methods.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("Create", "IfNotApplied")]
    [InlineData("Resize", "IfNotApplied")]
    [InlineData("Delete", "IfNotApplied")]
    [InlineData("Open", "Always")]
    [InlineData("Get", "Always")]
    [InlineData("List", "Always")]
    [InlineData("Close", "Never")]
    [InlineData("Release", "Never")]
    public void Calls_that_change_state_are_retried_only_when_not_applied(string method, string rule) =>
        Assert.Equal(Enum.Parse<RetryRule>(rule), CallPolicy.RuleOf(Regions.Descriptor.FullName, method));

    [Fact]
    public void A_method_the_table_does_not_know_is_not_assumed_idempotent()
    {
        Assert.Equal(RetryRule.IfNotApplied, CallPolicy.RuleOf(Regions.Descriptor.FullName, "Compact"));
        Assert.Equal(RetryRule.IfNotApplied, CallPolicy.RuleOf("other.v1.Service", "Get"));
    }

    [Fact]
    public void An_idempotent_call_is_retried_after_any_loss_a_state_changing_one_only_when_not_applied()
    {
        var lost = new RpcException(new Status(StatusCode.Unavailable, "Error reading next message.", new HttpRequestException(HttpRequestError.ResponseEnded, "ended")));
        var refused = new RpcException(new Status(StatusCode.Unavailable, "mapd is shutting down"));
        var answer = new RpcException(new Status(StatusCode.NotFound, "no region"));

        Assert.True(CallPolicy.MayRetry(RetryRule.Always, lost, sessionClosed: true));
        Assert.False(CallPolicy.MayRetry(RetryRule.IfNotApplied, lost, sessionClosed: true));
        Assert.True(CallPolicy.MayRetry(RetryRule.IfNotApplied, refused, sessionClosed: false));
        Assert.False(CallPolicy.MayRetry(RetryRule.Never, refused, sessionClosed: true));
        Assert.False(CallPolicy.MayRetry(RetryRule.Always, answer, sessionClosed: true));
    }

    [Fact]
    public void An_outcome_left_unknown_says_to_check_with_GetAsync()
    {
        var e = CallPolicy.Translate(new RpcException(new Status(StatusCode.Unavailable, "Error reading next message.")));

        Assert.Equal(StatusCode.Unavailable, e.Code);
        Assert.Contains("check with GetAsync", e.Message, StringComparison.Ordinal);
        Assert.Equal("no such region", CallPolicy.Translate(new RpcException(new Status(StatusCode.NotFound, "no such region"))).Message);
    }
}
