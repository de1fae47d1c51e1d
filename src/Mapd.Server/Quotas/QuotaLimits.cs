namespace Mapd.Server.Quotas;

/// <summary>
/// The limits on one kind of thing peers hold (sessions, connections, watches): the daemon's
/// total, each ordinary uid's quota, each privileged uid's quota (root and the daemon's own
/// uid), and how much of the total ordinary uids together leave to the privileged ones. Each
/// comes with the configuration key that sets it, for messages.
/// </summary>
/// <param name="Resource">The metric label, e.g. <c>sessions</c>.</param>
/// <param name="Noun">What is counted, in messages, e.g. <c>sessions on mapd-fd.sock</c>.</param>
/// <param name="Total">The most the daemon holds.</param>
/// <param name="TotalKey">The key of <paramref name="Total"/>.</param>
/// <param name="PerUid">The most one ordinary uid holds.</param>
/// <param name="PerUidKey">The key of <paramref name="PerUid"/>.</param>
/// <param name="Privileged">The most root (or the daemon's uid) holds.</param>
/// <param name="PrivilegedKey">The key of <paramref name="Privileged"/>.</param>
public sealed record QuotaLimits(
    string Resource, string Noun, int Total, string TotalKey, int PerUid, string PerUidKey, int Privileged, string PrivilegedKey)
{
    /// <summary>
    /// What ordinary uids together leave for root and the daemon's uid: the privileged quota,
    /// but never so much that one ordinary uid could not reach its own quota.
    /// </summary>
    public int Reserve => Math.Min(Privileged, Total - PerUid);

    /// <summary>The most ordinary uids hold together.</summary>
    public int OrdinaryShare => Total - Reserve;
}
