namespace Mapd.Server.Quotas;

/// <summary>Which limit turned a request away; the <c>limit</c> label of <c>mapd_quota_refusals_total</c>.</summary>
public enum QuotaScope
{
    /// <summary>The caller's uid holds its quota.</summary>
    Uid,

    /// <summary>The daemon holds its total.</summary>
    Total,

    /// <summary>Ordinary uids together hold all but what is kept back for root and the daemon's uid.</summary>
    Reserve,
}
