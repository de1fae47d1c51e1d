using Mapd.Server.Peers;
using Mapd.Server.Quotas;
using Mapd.Server.Regions;

namespace Mapd.Server.Watches;

/// <summary>
/// The Watch streams, indexed by what they follow: named regions, the regions a session maps,
/// or every region (an operator's watch). An update reaches only the streams that follow its
/// region, so thousands of watchers of other regions cost a resize nothing. Each stream counts
/// against its uid's quota of watches (<c>Mapd:Quota:Watches</c>) while it lasts.
/// </summary>
/// <param name="quota">The per-uid quota of streams; null counts nothing (tests of the hub alone).</param>
public sealed class WatchHub(PeerQuota? quota = null) : IRegionUpdateSink
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<WatchSubscription>> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<IRegionMapper, List<WatchSubscription>> _byMapper = new(ReferenceEqualityComparer.Instance);
    private readonly List<WatchSubscription> _everything = [];
    private int _count;

    /// <summary>Live subscriptions.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Subscribes <paramref name="uid"/> to <paramref name="names"/>; with no names, to every
    /// region <paramref name="mapper"/> maps (or every region <paramref name="visible"/> lets the
    /// watcher see when there is no mapper either). Throws RESOURCE_EXHAUSTED when the uid holds
    /// its quota of watches or the daemon its total.
    /// </summary>
    public WatchSubscription Subscribe(IRegionMapper? mapper, IReadOnlyCollection<string> names, uint uid, Func<RegionSnapshot, bool>? visible = null)
    {
        var lease = quota?.Take(uid);
        var subscription = new WatchSubscription(this, mapper, names.Count == 0 ? null : new HashSet<string>(names, StringComparer.Ordinal), visible, lease);
        lock (_gate)
        {
            foreach (var list in Lists(subscription))
            {
                list.Add(subscription);
            }

            _count++;
        }

        return subscription;
    }

    /// <inheritdoc />
    public void Publish(RegionUpdate update, IReadOnlyCollection<IRegionMapper> mappers)
    {
        lock (_gate)
        {
            if (_byName.TryGetValue(update.Region.Name, out var named))
            {
                foreach (var subscription in named)
                {
                    subscription.Deliver(update);
                }
            }

            foreach (var mapper in mappers)
            {
                if (_byMapper.TryGetValue(mapper, out var mapped))
                {
                    foreach (var subscription in mapped)
                    {
                        subscription.Deliver(update);
                    }
                }
            }

            foreach (var subscription in _everything)
            {
                if (subscription.MaySee(update.Region))
                {
                    subscription.Deliver(update);
                }
            }
        }
    }

    internal void Remove(WatchSubscription subscription)
    {
        lock (_gate)
        {
            _count--;
            foreach (var list in Lists(subscription))
            {
                list.Remove(subscription);
            }

            foreach (var name in subscription.Names ?? new HashSet<string>())
            {
                if (_byName.TryGetValue(name, out var list) && list.Count == 0)
                {
                    _byName.Remove(name);
                }
            }

            if (subscription.Mapper is { } mapper && _byMapper.TryGetValue(mapper, out var byMapper) && byMapper.Count == 0)
            {
                _byMapper.Remove(mapper);
            }
        }
    }

    private IEnumerable<List<WatchSubscription>> Lists(WatchSubscription subscription)
    {
        if (subscription.Names is { } names)
        {
            foreach (var name in names)
            {
                yield return _byName.TryGetValue(name, out var list) ? list : _byName[name] = [];
            }
        }
        else if (subscription.Mapper is { } mapper)
        {
            yield return _byMapper.TryGetValue(mapper, out var list) ? list : _byMapper[mapper] = [];
        }
        else
        {
            yield return _everything;
        }
    }
}
