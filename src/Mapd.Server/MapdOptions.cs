namespace Mapd.Server;

/// <summary>The <c>Mapd</c> configuration section.</summary>
public sealed class MapdOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Mapd";

    /// <summary>Where <c>mapd.sock</c> and <c>mapd-fd.sock</c> live; empty picks the contract's default.</summary>
    public string? SocketDirectory { get; set; }

    /// <summary>Permission bits of both socket files, in octal.</summary>
    public string SocketMode { get; set; } = "0660";

    /// <summary>Group name (or number) given to both socket files; empty keeps the daemon's group.</summary>
    public string? SocketGroup { get; set; }

    /// <summary>Region storage.</summary>
    public StorageOptions Storage { get; set; } = new();

    /// <summary>Grace periods.</summary>
    public GraceOptions Grace { get; set; } = new();

    /// <summary>Per-session and per-region limits, and the daemon's totals.</summary>
    public LimitOptions Limits { get; set; } = new();

    /// <summary>What each uid may hold at once.</summary>
    public QuotaOptions Quota { get; set; } = new();

    /// <summary>Metrics.</summary>
    public MetricsOptions Metrics { get; set; } = new();
}

/// <summary>The <c>Mapd:Storage</c> section.</summary>
public sealed class StorageOptions
{
    /// <summary>The storage directory; empty means <c>/dev/shm/mapd-&lt;uid&gt;</c>.</summary>
    public string? Path { get; set; }

    /// <summary>Mount a fresh tmpfs at <see cref="Path"/> (needs CAP_SYS_ADMIN).</summary>
    public bool Mount { get; set; }

    /// <summary>Capacity (and the tmpfs size when mounting), e.g. <c>8G</c>; empty means the filesystem's size.</summary>
    public string? Size { get; set; }

    /// <summary>tmpfs <c>huge=</c> when mounting: <c>never</c>, <c>within_size</c> or <c>always</c>.</summary>
    public string HugePages { get; set; } = "within_size";
}

/// <summary>The <c>Mapd:Grace</c> section.</summary>
public sealed class GraceOptions
{
    /// <summary>How long a shrink waits for every mapper to release before the daemon punches a hole.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>After a restart, how long deletes and shrinks wait for sessions to come back.</summary>
    public TimeSpan RecoveryWindow { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>The <c>Mapd:Limits</c> section.</summary>
public sealed class LimitOptions
{
    /// <summary>The most regions the daemon holds.</summary>
    public int MaxRegions { get; set; } = 4096;

    /// <summary>The largest region; empty means the storage capacity.</summary>
    public string? MaxRegionSize { get; set; }

    /// <summary>The most fds a session may have been sent and not yet taken from its socket.</summary>
    public int MaxUnreadFds { get; set; } = 64;

    /// <summary>The most sessions at once; unset, 4096, or fewer when RLIMIT_NOFILE is small.</summary>
    public int? MaxSessions { get; set; }

    /// <summary>The most gRPC connections at once; unset, 4096, or fewer when RLIMIT_NOFILE is small.</summary>
    public int? MaxConnections { get; set; }

    /// <summary>The most region descriptors kept open for later opens; a miss reopens the file.</summary>
    public int MaxCachedDescriptors { get; set; } = 1024;

    /// <summary>The most Watch streams at once; unset, twice the most sessions (each client process has one).</summary>
    public int? MaxWatches { get; set; }

    /// <summary>How long a new connection to <c>mapd.sock</c> may take to send the HTTP/2 preface before it is closed.</summary>
    public TimeSpan PrefaceTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a new connection to <c>mapd-fd.sock</c> may take to send HELLO before it is closed.</summary>
    public TimeSpan HelloTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The <c>Mapd:Quota</c> section: what one uid may hold at once, so that a uid at its quota
/// leaves the rest for everyone else. Unset, each is a quarter of the daemon's total
/// (<c>Mapd:Limits:Max...</c>, or the storage capacity for bytes). Root and the daemon's own
/// uid have quotas of their own under <see cref="Privileged"/>, and ordinary uids together never
/// take the sessions, connections and watches those keep back.
/// </summary>
public sealed class QuotaOptions
{
    /// <summary>Sessions on <c>mapd-fd.sock</c> per uid (one per client process).</summary>
    public int? Sessions { get; set; }

    /// <summary>Connections to <c>mapd.sock</c> per uid, counted from accept.</summary>
    public int? Connections { get; set; }

    /// <summary>Watch streams per uid.</summary>
    public int? Watches { get; set; }

    /// <summary>Regions a uid may own at once (deleted ones still mapped included).</summary>
    public int? Regions { get; set; }

    /// <summary>Bytes a uid's regions may take in total, as a size such as <c>16G</c>.</summary>
    public string? Bytes { get; set; }

    /// <summary>The quotas of root and of the daemon's own uid, kept back from everyone else.</summary>
    public PrivilegedQuotaOptions Privileged { get; set; } = new();
}

/// <summary>
/// The <c>Mapd:Quota:Privileged</c> section: what root and the daemon's own uid may each hold.
/// Ordinary uids together may hold at most the total less these, so an operator can always get
/// in. Unset, each is a quarter of the daemon's total.
/// </summary>
public sealed class PrivilegedQuotaOptions
{
    /// <summary>Sessions root (or the daemon's uid) may hold, kept back from ordinary uids.</summary>
    public int? Sessions { get; set; }

    /// <summary>Connections to <c>mapd.sock</c> root (or the daemon's uid) may hold, kept back from ordinary uids.</summary>
    public int? Connections { get; set; }

    /// <summary>Watch streams root (or the daemon's uid) may hold, kept back from ordinary uids.</summary>
    public int? Watches { get; set; }

    /// <summary>Regions root (or the daemon's uid) may own; unset, <c>Mapd:Limits:MaxRegions</c>.</summary>
    public int? Regions { get; set; }

    /// <summary>Bytes the regions of root (or the daemon's uid) may take; unset, the storage capacity.</summary>
    public string? Bytes { get; set; }
}

/// <summary>The <c>Mapd:Metrics</c> section.</summary>
public sealed class MetricsOptions
{
    /// <summary>Loopback URL of the Prometheus endpoint; empty turns it off.</summary>
    public string? Url { get; set; } = "http://127.0.0.1:9464";

    /// <summary>Also export <c>mapd_region_size_bytes{region}</c>, one series per region.</summary>
    public bool PerRegion { get; set; }

    /// <summary>The most per-region series; the rest are summed under <c>region=".other"</c>.</summary>
    public int MaxRegionSeries { get; set; } = 100;
}
