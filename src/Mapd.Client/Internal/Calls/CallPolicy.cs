using System.Collections.Frozen;
using Grpc.Core;
using Mapd.Protocol.V1;

namespace Mapd.Client.Internal.Calls;

/// <summary>
/// The one table of which calls may be retried after the daemon went away, and how a failed
/// call is told to the caller. A call is retried at most once, on the next session: always when
/// it is idempotent, and otherwise only when the daemon cannot have applied it. Otherwise the
/// caller learns that the outcome is unknown, with what to do about it.
/// </summary>
internal static class CallPolicy
{
    /// <summary>The message of a call whose outcome is unknown because the daemon went away under it.</summary>
    public const string OutcomeUnknown = "mapd went away while the call was on its way and may or may not have applied it; once it is back (the client reconnects on its own), check with GetAsync before trying again";

    private static readonly FrozenDictionary<string, RetryRule> Rules = new Dictionary<string, RetryRule>
    {
        ["Create"] = RetryRule.IfNotApplied,
        ["Open"] = RetryRule.Always,
        ["Get"] = RetryRule.Always,
        ["List"] = RetryRule.Always,
        ["Resize"] = RetryRule.IfNotApplied,
        ["Delete"] = RetryRule.IfNotApplied,
        ["Close"] = RetryRule.Never,
        ["Release"] = RetryRule.Never,
        ["Watch"] = RetryRule.Never,
        ["ListSessions"] = RetryRule.Always,
        ["Status"] = RetryRule.Always,
        ["Ping"] = RetryRule.Always,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The methods the table names, for tests that hold it to the contract.</summary>
    public static IEnumerable<string> Methods => Rules.Keys;

    /// <summary>The rule of a method of <c>mapd.v1.Regions</c>; a method the table does not know is not assumed idempotent.</summary>
    public static RetryRule RuleOf(string service, string method) =>
        service == Regions.Descriptor.FullName && Rules.TryGetValue(method, out var rule) ? rule : RetryRule.IfNotApplied;

    /// <summary>Whether a call that failed with <paramref name="e"/> on a session that is now <paramref name="sessionClosed"/> is sent again on the next one.</summary>
    public static bool MayRetry(RetryRule rule, RpcException e, bool sessionClosed) =>
        IsSessionLoss(e, sessionClosed) && rule switch
        {
            RetryRule.Always => true,
            RetryRule.IfNotApplied => IsNotApplied(e, sessionClosed),
            _ => false,
        };

    /// <summary>The exception the caller sees for a call that failed and is not retried.</summary>
    public static MapdException Translate(RpcException e) =>
        e.StatusCode == StatusCode.Unavailable
            ? new MapdException(StatusCode.Unavailable, OutcomeUnknown, e)
            : MapdException.From(e);

    /// <summary>The daemon is gone (UNAVAILABLE), or no longer knows the session because it restarted.</summary>
    public static bool IsSessionLoss(RpcException e, bool sessionClosed) =>
        e.StatusCode == StatusCode.Unavailable || (e.StatusCode == StatusCode.FailedPrecondition && sessionClosed);

    /// <summary>
    /// Whether a failed call certainly did nothing: the daemon itself refused it (UNAVAILABLE,
    /// which it answers only before running a call, while it stops; or FAILED_PRECONDITION for
    /// a session it no longer knows, after a restart), or the connection to it could not be
    /// made, so the request never left this process.
    /// </summary>
    public static bool IsNotApplied(RpcException e, bool sessionClosed) => e.StatusCode switch
    {
        StatusCode.FailedPrecondition => sessionClosed,
        StatusCode.Unavailable => e.Status.DebugException is null || IsConnectionError(e.Status.DebugException),
        _ => false,
    };

    private static bool IsConnectionError(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError })
            {
                return true;
            }
        }

        return false;
    }
}
