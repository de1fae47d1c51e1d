using Mapd.Server.Peers;
using Mapd.Server.Regions;

namespace Mapd.Server.Tests.Regions;

public sealed class RegionOutboxTests
{
    private static readonly RegionSnapshot Region = new("r", RegionState.Live, 4096, 1, 0, 0, 0b110_000_000, 0, DateTimeOffset.UnixEpoch, 0, [], null);

    [Fact]
    public void Updates_are_delivered_once_each_in_the_order_they_were_queued_whoever_drains()
    {
        var outbox = new RegionOutbox();
        var sink = new RecordingSink();
        var gate = new Lock();
        var next = 0UL;

        // Like regions' changes: each thread queues under the region's lock, then drains outside it.
        Parallel.For(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            lock (gate)
            {
                outbox.Add(new RegionUpdate(RegionUpdateKind.Resized, Region with { Generation = ++next }), []);
            }

            outbox.Drain(sink);
        });

        Assert.Equal(Enumerable.Range(1, 2000).Select(g => (ulong)g), sink.Generations);
    }

    [Fact]
    public void An_update_for_one_target_goes_to_it_alone_in_order_with_the_others()
    {
        var outbox = new RegionOutbox();
        var sink = new RecordingSink();
        var target = new RecordingSink();

        outbox.Add(new RegionUpdate(RegionUpdateKind.Resized, Region with { Generation = 1 }), []);
        outbox.AddFor(target, new RegionUpdate(RegionUpdateKind.Current, Region with { Generation = 1 }));
        outbox.Add(new RegionUpdate(RegionUpdateKind.Resized, Region with { Generation = 2 }), []);
        outbox.Drain(sink);

        Assert.Equal([1UL, 2UL], sink.Generations);
        Assert.Equal([1UL], target.Generations);
    }

    private sealed class RecordingSink : IRegionUpdateSink, IRegionUpdateTarget
    {
        private readonly List<ulong> _generations = [];

        public IReadOnlyList<ulong> Generations
        {
            get
            {
                lock (_generations)
                {
                    return [.. _generations];
                }
            }
        }

        public void Publish(RegionUpdate update, IReadOnlyCollection<IRegionMapper> mappers) => Deliver(update);

        public void Deliver(RegionUpdate update)
        {
            lock (_generations)
            {
                _generations.Add(update.Region.Generation);
            }
        }
    }
}
