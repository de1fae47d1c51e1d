using System.Threading.Channels;
using Mapd.Protocol.V1;
using Mapd.Server.Storage;

namespace Mapd.Server.Grace;

/// <summary>
/// Fans region events out to Watch streams. Published under the store's lock, so each
/// watcher sees one region's events in generation order.
/// </summary>
public sealed class RegionEvents
{
    /// <summary>How many undelivered events a watcher may have before its stream is ended.</summary>
    public const int Backlog = 4096;

    private readonly Lock _gate = new();
    private readonly List<Subscription> _subscriptions = [];

    /// <summary>
    /// Subscribes to <paramref name="names"/>; with no names, to every region
    /// <paramref name="mapper"/> maps (or every region when there is no mapper either).
    /// </summary>
    public Subscription Subscribe(IRegionMapper? mapper, IReadOnlyCollection<string> names)
    {
        var subscription = new Subscription(this, mapper, names.Count == 0 ? null : new HashSet<string>(names, StringComparer.Ordinal));
        lock (_gate)
        {
            _subscriptions.Add(subscription);
        }

        return subscription;
    }

    /// <summary>Delivers an event to every interested watcher; <paramref name="mappers"/> are the region's mappers now.</summary>
    internal void Publish(Region region, RegionEvent.Types.Kind kind, IReadOnlyCollection<IRegionMapper> mappers)
    {
        lock (_gate)
        {
            foreach (var subscription in _subscriptions)
            {
                if (subscription.Wants(region.Name, mappers))
                {
                    subscription.Deliver(new RegionEvent { Region = region, Kind = kind });
                }
            }
        }
    }

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            _subscriptions.Remove(subscription);
        }
    }

    /// <summary>One Watch stream's queue.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly RegionEvents _owner;
        private readonly IRegionMapper? _mapper;
        private readonly HashSet<string>? _names;
        private readonly Channel<RegionEvent> _events = Channel.CreateBounded<RegionEvent>(
            new BoundedChannelOptions(Backlog) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        internal Subscription(RegionEvents owner, IRegionMapper? mapper, HashSet<string>? names)
        {
            _owner = owner;
            _mapper = mapper;
            _names = names;
        }

        /// <summary>The events; completes with an error when the watcher fell too far behind.</summary>
        public ChannelReader<RegionEvent> Events => _events.Reader;

        /// <inheritdoc />
        public void Dispose() => _owner.Remove(this);

        internal bool Wants(string name, IReadOnlyCollection<IRegionMapper> mappers) =>
            _names?.Contains(name) ?? (_mapper is null || mappers.Contains(_mapper));

        internal void Deliver(RegionEvent regionEvent)
        {
            if (!_events.Writer.TryWrite(regionEvent))
            {
                // A watcher that stopped reading must not hold events (or the store) hostage.
                _events.Writer.TryComplete(RegionErrors.Exhausted($"this watch fell {Backlog} events behind; read Get for the current state and watch again"));
            }
        }
    }
}
