using System.Diagnostics.Metrics;
using Grpc.Core;

namespace Mapd.Server.Meters;

/// <summary>
/// The daemon's events as metrics on the <c>mapd</c> meter: the code that sees an event calls
/// one of these methods. Instruments are process-wide (one daemon per process), so callers
/// without dependency injection, such as a <c>Session</c>, can report too. The Prometheus
/// exporter renders the names documented on each method; <c>Telemetry.MapdGauges</c> adds the
/// gauges that read the daemon's state.
/// </summary>
public static class MapdMetrics
{
    /// <summary>The meter name, for <c>AddMeter</c>.</summary>
    public const string MeterName = "mapd";

    // Resizes are a ftruncate (~10 us) plus persisting metadata; a grow that queues behind a
    // pending shrink can wait for that shrink's grace period, hence the long tail.
    private static readonly double[] ResizeBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    // Grace periods end when the slowest mapper releases: milliseconds for a healthy client,
    // the grace timeout (default 30 s) or more for a stuck one.
    private static readonly double[] GraceBuckets =
        [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    private static readonly Meter Meter = new(MeterName, typeof(MapdMetrics).Assembly.GetName().Version?.ToString());

    private static readonly Counter<long> FdHandoffs = Meter.CreateCounter<long>(
        "mapd.fd_handoffs", "{handoff}", "Descriptors sent to clients on mapd-fd.sock.");

    private static readonly Counter<long> SessionOpens = Meter.CreateCounter<long>(
        "mapd.session_opens", "{open}", "Opens asked and answered on mapd-fd.sock (OPEN messages) that handed a descriptor over; Open calls are not counted here.");

    private static readonly Counter<long> Resizes = Meter.CreateCounter<long>(
        "mapd.resizes", "{resize}", "Resizes committed, by direction (grow or shrink).");

    private static readonly Histogram<double> ResizeDuration = Meter.CreateHistogram(
        "mapd.resize.duration", "s", "Time from a Resize request to its commit.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ResizeBuckets });

    private static readonly UpDownCounter<long> GracePending = Meter.CreateUpDownCounter<long>(
        "mapd.grace.pending", "{shrink}", "Shrinks announced and waiting for every mapper to release.");

    private static readonly Histogram<double> GraceDuration = Meter.CreateHistogram(
        "mapd.grace.duration", "s", "Time from announcing a shrink until every mapper released or the grace period ended.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GraceBuckets });

    private static readonly Counter<long> Errors = Meter.CreateCounter<long>(
        "mapd.errors", "{error}", "gRPC calls and OPEN messages on mapd-fd.sock that ended with an error, by status code.");

    private static readonly Counter<long> Orphans = Meter.CreateCounter<long>(
        "mapd.regions.orphaned", "{region}", "Deleted regions a process kept holding past its session: unlinked, still charged until it lets go.");

    private static readonly Counter<long> Repairs = Meter.CreateCounter<long>(
        "mapd.length.repairs", "{repair}", "Region files whose length (kind=length) or allocation (kind=allocation) was changed outside mapd and set back.");

    private static readonly Counter<long> DescriptorShortages = Meter.CreateCounter<long>(
        "mapd.descriptor.exhausted", "{event}", "Times the daemon ran out of file descriptors (EMFILE/ENFILE), by where: open, accept, cleanup.");

    private static readonly Counter<long> QuotaRefusals = Meter.CreateCounter<long>(
        "mapd.quota.refusals", "{refusal}", "Sessions, connections, watches, regions and bytes turned away, by resource and by the limit that was reached (uid, total, reserve).");

    private static readonly Counter<long> HandshakeTimeouts = Meter.CreateCounter<long>(
        "mapd.handshake.timeouts", "{connection}", "Connections closed because they sent no HTTP/2 preface (mapd.sock) or HELLO (mapd-fd.sock) in time, by socket.");

    private static long s_quarantined;

    // Observed rather than added: recovery quarantines before the exporter starts listening.
    private static readonly ObservableCounter<long> Quarantined = Meter.CreateObservableCounter(
        "mapd.quarantined", () => Volatile.Read(ref s_quarantined), "{file}", "Files recovery moved to quarantine/: not regular files, oversized metadata, impossible sizes.");

    private static readonly KeyValuePair<string, object?> Grow = new("direction", "grow");
    private static readonly KeyValuePair<string, object?> Shrink = new("direction", "shrink");

    // One preallocated tag per status code keeps the label set bounded and the hot path free of allocations.
    private static readonly KeyValuePair<string, object?>[] CodeTags =
        [.. Enum.GetValues<StatusCode>().OrderBy(c => (int)c).Select(c => new KeyValuePair<string, object?>("code", StatusCodeName.Of(c)))];

    /// <summary>A descriptor went out on a session socket: <c>mapd_fd_handoffs_total</c>.</summary>
    public static void FdHandedOff() => FdHandoffs.Add(1);

    /// <summary>An OPEN message on a session socket handed its descriptor over: <c>mapd_session_opens_total</c>.</summary>
    public static void SessionOpened() => SessionOpens.Add(1);

    /// <summary>
    /// A resize committed after <paramref name="duration"/>: <c>mapd_resizes_total{direction}</c>
    /// and <c>mapd_resize_duration_seconds</c>.
    /// </summary>
    /// <param name="direction"><c>grow</c> or <c>shrink</c>.</param>
    /// <param name="duration">From the request's arrival to the commit.</param>
    public static void ResizeCommitted(string direction, TimeSpan duration)
    {
        var tag = direction switch
        {
            "grow" => Grow,
            "shrink" => Shrink,
            _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, "grow or shrink"),
        };
        Resizes.Add(1, tag);
        ResizeDuration.Record(duration.TotalSeconds, tag);
    }

    /// <summary>A shrink was announced and waits for releases: <c>mapd_grace_pending</c> goes up.</summary>
    public static void GraceStarted() => GracePending.Add(1);

    /// <summary>
    /// A grace period ended (every mapper released, the timeout struck, or the region went
    /// away) after <paramref name="duration"/>: <c>mapd_grace_pending</c> goes down and
    /// <c>mapd_grace_duration_seconds</c> records it. Call once per <see cref="GraceStarted"/>.
    /// </summary>
    public static void GraceEnded(TimeSpan duration)
    {
        GracePending.Add(-1);
        GraceDuration.Record(duration.TotalSeconds);
    }

    /// <summary>A gRPC call failed with <paramref name="code"/>: <c>mapd_errors_total{code}</c>.</summary>
    public static void CallFailed(StatusCode code)
    {
        // A code outside the specification's 0..16 counts as UNKNOWN, as gRPC itself maps it.
        Errors.Add(1, (uint)code < (uint)CodeTags.Length ? CodeTags[(int)code] : CodeTags[(int)StatusCode.Unknown]);
    }

    /// <summary>A deleted region was orphaned: <c>mapd_regions_orphaned_total</c>.</summary>
    public static void RegionOrphaned() => Orphans.Add(1);

    /// <summary>A region file's length or allocation was changed outside mapd and repaired: <c>mapd_length_repairs_total{kind}</c>.</summary>
    /// <param name="kind"><c>length</c> or <c>allocation</c>.</param>
    public static void LengthRepaired(string kind) => Repairs.Add(1, new KeyValuePair<string, object?>("kind", kind));

    /// <summary>
    /// The daemon met EMFILE or ENFILE <paramref name="where"/> (<c>open</c> of a region file,
    /// <c>accept</c> of a session) and refused that one request: <c>mapd_descriptor_exhausted_total{where}</c>.
    /// </summary>
    public static void DescriptorsExhausted(string where) => DescriptorShortages.Add(1, new KeyValuePair<string, object?>("where", where));

    /// <summary>
    /// A peer was turned away because <paramref name="scope"/>'s limit on
    /// <paramref name="resource"/> (<c>sessions</c>, <c>connections</c>, <c>watches</c>) was
    /// reached: <c>mapd_quota_refusals_total{resource, limit}</c>.
    /// </summary>
    public static void QuotaRefused(string resource, Quotas.QuotaScope scope) =>
        QuotaRefusals.Add(1, new KeyValuePair<string, object?>("resource", resource), new KeyValuePair<string, object?>("limit", ScopeLabel(scope)));

    /// <summary>
    /// A connection to <paramref name="socket"/> (<c>mapd.sock</c> or <c>mapd-fd.sock</c>) was
    /// closed for sending nothing in time: <c>mapd_handshake_timeouts_total{socket}</c>.
    /// </summary>
    public static void HandshakeTimedOut(string socket) => HandshakeTimeouts.Add(1, new KeyValuePair<string, object?>("socket", socket));

    /// <summary>Recovery moved a file to <c>quarantine/</c>: <c>mapd_quarantined_total</c>.</summary>
    public static void FileQuarantined() => Interlocked.Increment(ref s_quarantined);

    /// <summary>
    /// Puts every label-free counter and both resize directions at zero, so each series exists
    /// (and <c>rate()</c> and alerts work) before its first event. Call once the exporter listens.
    /// </summary>
    internal static void PublishZeros()
    {
        FdHandoffs.Add(0);
        Resizes.Add(0, Grow);
        Resizes.Add(0, Shrink);
        GracePending.Add(0);
        Orphans.Add(0);
        Repairs.Add(0, new KeyValuePair<string, object?>("kind", "length"));
        Repairs.Add(0, new KeyValuePair<string, object?>("kind", "allocation"));
        DescriptorShortages.Add(0, new KeyValuePair<string, object?>("where", "open"));
        DescriptorShortages.Add(0, new KeyValuePair<string, object?>("where", "accept"));
        DescriptorShortages.Add(0, new KeyValuePair<string, object?>("where", "cleanup"));
        foreach (var socket in (string[])[SocketLocation.GrpcSocketName, SocketLocation.SessionSocketName])
        {
            HandshakeTimeouts.Add(0, new KeyValuePair<string, object?>("socket", socket));
        }

        foreach (var resource in (string[])["sessions", "connections", "watches", "regions", "bytes"])
        {
            foreach (var scope in Enum.GetValues<Quotas.QuotaScope>())
            {
                QuotaRefusals.Add(0, new KeyValuePair<string, object?>("resource", resource), new KeyValuePair<string, object?>("limit", ScopeLabel(scope)));
            }
        }
    }

    private static string ScopeLabel(Quotas.QuotaScope scope) => scope switch
    {
        Quotas.QuotaScope.Uid => "uid",
        Quotas.QuotaScope.Total => "total",
        _ => "reserve",
    };
}
