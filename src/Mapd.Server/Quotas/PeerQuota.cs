using Mapd.Server.Errors;
using Mapd.Server.Meters;

namespace Mapd.Server.Quotas;

/// <summary>
/// Counts what each uid holds of one kind of thing and turns away what would pass its
/// <see cref="QuotaLimits"/>: the uid's own quota first, then the daemon's total, then (for
/// ordinary uids) the share they may take together. A uid at its quota is refused alone; the
/// rest is still there for everyone else. Every refusal is counted in
/// <c>mapd_quota_refusals_total{resource, limit}</c> and carries a message that names the limit
/// and its key.
/// </summary>
public sealed class PeerQuota(QuotaLimits limits, Func<uint, bool> isPrivileged)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, int> _byUid = [];
    private int _total;
    private int _ordinary;

    /// <summary>The limits.</summary>
    public QuotaLimits Limits => limits;

    /// <summary>What all uids hold now.</summary>
    public int Count => Volatile.Read(ref _total);

    /// <summary>What <paramref name="uid"/> holds now.</summary>
    public int CountOf(uint uid)
    {
        lock (_gate)
        {
            return _byUid.GetValueOrDefault(uid);
        }
    }

    /// <summary>Takes one for <paramref name="uid"/>, or throws RESOURCE_EXHAUSTED naming the limit.</summary>
    public QuotaLease Take(uint uid) => TryTake(uid, out var refusal) ?? throw RefusedException.Exhausted(refusal);

    /// <summary>Takes one for <paramref name="uid"/>; null (and the reason in <paramref name="refusal"/>) when a limit is reached.</summary>
    public QuotaLease? TryTake(uint uid, out string refusal)
    {
        var privileged = isPrivileged(uid);
        QuotaScope scope;
        lock (_gate)
        {
            var held = _byUid.GetValueOrDefault(uid);
            if (held >= (privileged ? limits.Privileged : limits.PerUid))
            {
                scope = QuotaScope.Uid;
                refusal = privileged
                    ? $"uid {uid} already holds {held} {limits.Noun}, its quota ({limits.PrivilegedKey} = {limits.Privileged}); end some of them, or raise {limits.PrivilegedKey}"
                    : $"uid {uid} already holds {held} {limits.Noun}, its quota ({limits.PerUidKey} = {limits.PerUid}); end some of them, or ask the operator to raise {limits.PerUidKey}";
            }
            else if (_total >= limits.Total)
            {
                scope = QuotaScope.Total;
                refusal = $"mapd already holds {_total} {limits.Noun}, its limit ({limits.TotalKey} = {limits.Total}); retry later, or ask the operator to raise {limits.TotalKey}";
            }
            else if (!privileged && _ordinary >= limits.OrdinaryShare)
            {
                scope = QuotaScope.Reserve;
                refusal = $"users other than root and mapd's own already hold {_ordinary} {limits.Noun}, all of {limits.TotalKey} = {limits.Total} but the {limits.Reserve} kept for those ({limits.PrivilegedKey}); retry later";
            }
            else
            {
                _byUid[uid] = held + 1;
                _total++;
                if (!privileged)
                {
                    _ordinary++;
                }

                refusal = string.Empty;
                return new QuotaLease(this, uid, privileged);
            }
        }

        MapdMetrics.QuotaRefused(limits.Resource, scope);
        return null;
    }

    internal void Release(QuotaLease lease)
    {
        lock (_gate)
        {
            var held = _byUid[lease.Uid] - 1;
            if (held == 0)
            {
                _byUid.Remove(lease.Uid);
            }
            else
            {
                _byUid[lease.Uid] = held;
            }

            _total--;
            if (!lease.Privileged)
            {
                _ordinary--;
            }
        }
    }
}
