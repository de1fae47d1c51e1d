using Grpc.Core;
using Mapd.Client;

namespace Mapd.TestClient;

/// <summary>
/// Grows and shrinks a region again and again, stamping every page that appears. Every resize
/// changes the size (none is a no-op), so each one moves the region's generation on.
/// </summary>
public static class Resizer
{
    public static async Task<string> RunAsync(MappedRegion region, long min, long max, int count)
    {
        var random = new Random(42);
        var done = 0;
        var retries = 0;

        // The size the daemon was last asked for: after a shrink, this mapping's Size follows only once the shrink is applied here.
        var current = region.Size;
        while (done < count)
        {
            var grow = current < max && (current <= min || done % 2 == 0);
            var target = grow
                ? current + Math.Max(PageStamps.PageSize, (random.NextInt64(current + 1, max + 1) - current) / PageStamps.PageSize * PageStamps.PageSize)
                : min + (random.NextInt64(min, current) - min) / PageStamps.PageSize * PageStamps.PageSize;
            try
            {
                await region.ResizeAsync(target);
            }
            catch (MapdException e) when (e.Code is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                // The daemon is restarting (a test kills it): the client library reconnects; try again.
                retries++;
                await Task.Delay(100);
                continue;
            }

            if (grow)
            {
                unsafe
                {
                    using var lease = region.AcquireLease();
                    PageStamps.StampRange(lease.Pointer, current, lease.Length);
                }
            }

            current = target;
            done++;
        }

        return $"ok resizes {done} retries {retries} size {region.Size} generation {region.Generation}";
    }
}
