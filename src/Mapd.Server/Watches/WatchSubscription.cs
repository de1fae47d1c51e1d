using System.Threading.Channels;
using Mapd.Server.Errors;
using Mapd.Server.Peers;
using Mapd.Server.Quotas;
using Mapd.Server.Regions;

namespace Mapd.Server.Watches;

/// <summary>One Watch stream's queue of updates. A watcher that stops reading is ended, never waited for.</summary>
public sealed class WatchSubscription : IRegionUpdateTarget, IDisposable
{
    /// <summary>How many undelivered updates a watcher may have before its stream is ended.</summary>
    public const int Backlog = 4096;

    private readonly WatchHub _hub;
    private readonly Func<RegionSnapshot, bool>? _visible;
    private int _disposed;
    private readonly Channel<RegionUpdate> _updates = Channel.CreateBounded<RegionUpdate>(
        new BoundedChannelOptions(Backlog) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly QuotaLease? _lease;

    internal WatchSubscription(WatchHub hub, IRegionMapper? mapper, IReadOnlySet<string>? names, Func<RegionSnapshot, bool>? visible, QuotaLease? lease)
    {
        _hub = hub;
        _visible = visible;
        Mapper = mapper;
        Names = names;
        _lease = lease;
    }

    /// <summary>The session whose regions this follows when it names none.</summary>
    public IRegionMapper? Mapper { get; }

    /// <summary>The regions this follows; null to follow the session's (or every) region.</summary>
    public IReadOnlySet<string>? Names { get; }

    /// <summary>The updates; completes with RESOURCE_EXHAUSTED when the watcher fell too far behind.</summary>
    public ChannelReader<RegionUpdate> Updates => _updates.Reader;

    /// <summary>True when the watcher may see <paramref name="region"/>: watching everything shows only what one may open.</summary>
    public bool MaySee(RegionSnapshot region) => _visible?.Invoke(region) ?? true;

    /// <inheritdoc />
    public void Deliver(RegionUpdate update)
    {
        if (!_updates.Writer.TryWrite(update))
        {
            // A watcher that stopped reading must not hold updates (or the daemon) hostage.
            _updates.Writer.TryComplete(RefusedException.Exhausted($"this watch fell {Backlog} events behind; read Get for the current state and watch again"));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _hub.Remove(this);
            _lease?.Dispose();
        }
    }
}
