using Mapd.Server.Peers;

namespace Mapd.Server.Regions;

/// <summary>
/// One region's updates, queued under the region's lock in the order its changes happen and
/// delivered after the lock is released, so watchers (and slow ones above all) never hold up a
/// change, and each sees one region's updates in generation order. At most one thread drains a
/// region's outbox at a time; an update queued while another thread drains is delivered by it.
/// </summary>
internal sealed class RegionOutbox
{
    private readonly Lock _gate = new();
    private readonly Queue<Item> _items = new();
    private bool _draining;

    /// <summary>Queues an update for every watcher of the region (call under the region's lock).</summary>
    public void Add(RegionUpdate update, IReadOnlyCollection<IRegionMapper> mappers)
    {
        lock (_gate)
        {
            _items.Enqueue(new Item(update, mappers, null));
        }
    }

    /// <summary>Queues an update for one watcher only (call under the region's lock).</summary>
    public void AddFor(IRegionUpdateTarget target, RegionUpdate update)
    {
        lock (_gate)
        {
            _items.Enqueue(new Item(update, [], target));
        }
    }

    /// <summary>Delivers everything queued (call after releasing the region's lock).</summary>
    public void Drain(IRegionUpdateSink sink)
    {
        lock (_gate)
        {
            if (_draining)
            {
                // The thread draining now delivers what this caller queued: it stops only once it
                // finds the queue empty under this lock.
                return;
            }

            _draining = true;
        }

        try
        {
            while (true)
            {
                Item item;
                lock (_gate)
                {
                    if (!_items.TryDequeue(out item!))
                    {
                        _draining = false;
                        return;
                    }
                }

                Deliver(sink, item);
            }
        }
        catch
        {
            lock (_gate)
            {
                _draining = false;
            }

            throw;
        }
    }

    private static void Deliver(IRegionUpdateSink sink, Item item)
    {
        if (item.Target is { } target)
        {
            target.Deliver(item.Update);
        }
        else
        {
            sink.Publish(item.Update, item.Mappers);
        }
    }

    private sealed record Item(RegionUpdate Update, IReadOnlyCollection<IRegionMapper> Mappers, IRegionUpdateTarget? Target);
}
