using Mapd.Server.Peers;

namespace Mapd.Server.Grace;

/// <summary>
/// A shrink announced but not yet committed: the file keeps its old size until every session
/// that mapped the region when it was announced has released (or ended). A resize that arrives
/// meanwhile waits for it to settle: to commit, or to outlast its grace period, after which the
/// resize supersedes it rather than wait on a laggard.
/// </summary>
public sealed class ShrinkGrace(ulong generation, ulong target, DateTimeOffset since, long requestedAt, bool recovering)
{
    /// <summary>When the Resize arrived (<see cref="TimeProvider.GetTimestamp"/>), for the resize duration metric.</summary>
    public long RequestedAt { get; } = requestedAt;

    /// <summary>True once counted in <c>mapd_grace_pending</c>, so it is uncounted exactly once.</summary>
    public bool GraceCounted { get; set; }

    /// <summary>The generation that announced the shrink; a Release of it (or later) counts.</summary>
    public ulong Generation { get; } = generation;

    /// <summary>The size the file will be cut to.</summary>
    public ulong Target { get; } = target;

    /// <summary>
    /// Completes when a resize need no longer wait for this shrink: it committed, ended with its
    /// region, or its grace period passed (then whoever still maps the tail is a laggard).
    /// </summary>
    public TaskCompletionSource Settled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When the shrink was announced (or found pending at start-up).</summary>
    public DateTimeOffset Since { get; } = since;

    /// <summary>Sessions that must release before the truncate.</summary>
    public HashSet<IRegionMapper> Waiting { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>After a restart nobody's mappings are known: wait for the recovery window to end.</summary>
    public bool Recovering { get; set; } = recovering;

    /// <summary>True once the grace timeout gave the tail's memory back.</summary>
    public bool HolePunched { get; set; }

    /// <summary>The grace timeout's timer, while armed.</summary>
    public ITimer? Timer { get; set; }

    /// <summary>True when nobody can still map the tail: every waiting session released or ended, and no recovery window runs.</summary>
    public bool CanCommit => Waiting.Count == 0 && !Recovering;
}
