using Mapd.Native;
using Mapd.Server.Storage;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Regions;

/// <summary>
/// Hears, through inotify, whenever a region file's data or length changes (a write, an
/// ftruncate, an fallocate, the daemon's own included), in <c>regions/</c>, in <c>trash/</c>,
/// and for each orphaned file through the daemon's own descriptor of it; and ticks once a second
/// for what no event announces (an orphan's last holder letting go). A thread of its own reads
/// the events and hands them to the callbacks, which must not throw.
/// </summary>
internal sealed partial class RegionFileWatch(StorageRoot storage, ILogger logger) : IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private readonly Dictionary<int, ManagedRegion> _orphans = [];
    private readonly Dictionary<ManagedRegion, int> _watches = new(ReferenceEqualityComparer.Instance);
    private FileEvents? _events;
    private Thread? _reader;
    private volatile bool _stopping;
    private int _regionsWatch = -1;
    private int _trashWatch = -1;

    /// <summary>A file in <c>regions/</c> (deleted: false) or <c>trash/</c> (true) changed.</summary>
    public Action<string, bool> FileChanged { get; set; } = (_, _) => { };

    /// <summary>An orphaned region's file changed.</summary>
    public Action<ManagedRegion> OrphanChanged { get; set; } = _ => { };

    /// <summary>Events were lost (the kernel's queue overflowed), or a second passed: look at everything that matters.</summary>
    public Action Sweep { get; set; } = () => { };

    /// <summary>Starts watching; call once.</summary>
    public void Start()
    {
        _events = FileEvents.Create();
        _regionsWatch = _events.Watch(storage.Regions.Path, FileEvents.Modified);
        _trashWatch = _events.Watch(storage.Trash.Path, FileEvents.Modified);
        _reader = new Thread(Read) { IsBackground = true, Name = "mapd region file watch" };
        _reader.Start();
    }

    /// <summary>Follows an orphaned region's unlinked file through <see cref="ManagedRegion.Orphan"/>.</summary>
    public void Follow(ManagedRegion region)
    {
        if (_events is null || region.Orphan is not { } held)
        {
            return;
        }

        lock (_gate)
        {
            var watch = _events.Watch($"/proc/self/fd/{held.Value}", FileEvents.Modified);
            GC.KeepAlive(held);
            _orphans[watch] = region;
            _watches[region] = watch;
        }
    }

    /// <summary>Stops following an orphan (its file is about to close).</summary>
    public void Unfollow(ManagedRegion region)
    {
        lock (_gate)
        {
            if (_watches.Remove(region, out var watch))
            {
                _orphans.Remove(watch);
                _events?.Unwatch(watch);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // The reader may be inside a read: its reference keeps the descriptor open until it returns and stops.
        _stopping = true;
        _events?.Dispose();
    }

    private void Read()
    {
        var buffer = new byte[64 * 1024];
        var nextSweep = DateTime.UtcNow + Tick;
        while (!_stopping)
        {
            try
            {
                foreach (var e in _events!.Read(buffer, TimeSpan.FromMilliseconds(250)))
                {
                    Dispatch(e);
                }

                if (DateTime.UtcNow >= nextSweep)
                {
                    nextSweep = DateTime.UtcNow + Tick;
                    Sweep();
                }
            }
            catch (ObjectDisposedException) when (_stopping)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The watch must outlive any one bad event: a region gone meanwhile, a failed repair.
                Log.WatchFailed(logger, e);
            }
        }
    }

    private void Dispatch(FileEvent e)
    {
        if ((e.Mask & FileEvents.Overflowed) != 0)
        {
            Sweep();
        }
        else if (e.Name is { } name && (e.Watch == _regionsWatch || e.Watch == _trashWatch))
        {
            FileChanged(name, e.Watch == _trashWatch);
        }
        else
        {
            ManagedRegion? orphan;
            lock (_gate)
            {
                orphan = _orphans.GetValueOrDefault(e.Watch);
            }

            if (orphan is not null)
            {
                OrphanChanged(orphan);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 130, EventName = "WatchFailed", Level = LogLevel.Error, Message = "Watching region files failed on one event; the watch goes on")]
        public static partial void WatchFailed(ILogger logger, Exception exception);
    }
}
