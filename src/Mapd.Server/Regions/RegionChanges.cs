using Mapd.Server.Storage;

namespace Mapd.Server.Regions;

/// <summary>
/// How every change of a region is made: under the region's lock, with its descriptor lent from
/// the cache, and with the updates it queued delivered once the lock is released.
/// </summary>
internal sealed class RegionChanges(RegionFiles files, DescriptorCache descriptors, IRegionUpdateSink sink)
{
    /// <summary>Runs <paramref name="change"/> under <paramref name="region"/>'s lock, then delivers the updates it queued.</summary>
    public T Run<T>(ManagedRegion region, Func<T> change)
    {
        try
        {
            lock (region.Gate)
            {
                return change();
            }
        }
        finally
        {
            region.Outbox.Drain(sink);
        }
    }

    /// <summary>Runs <paramref name="change"/> under <paramref name="region"/>'s lock, then delivers the updates it queued.</summary>
    public void Run(ManagedRegion region, Action change) => Run(region, () =>
    {
        change();
        return true;
    });

    /// <summary>Lends the region's descriptor (O_RDWR or O_RDONLY), reopening its file on a cache miss.</summary>
    public DescriptorLoan Lend(ManagedRegion region, bool writable) =>
        descriptors.Lend(region, writable, () => files.Open(region.FileName, region.IsDeleted, writable));

    /// <summary>Queues an update of <paramref name="kind"/> with the region as it is now, for its mappers and watchers (under the lock).</summary>
    public static void Publish(ManagedRegion region, RegionUpdateKind kind) =>
        region.Outbox.Add(new RegionUpdate(kind, region.Snapshot), [.. region.Mappers.Keys]);
}
