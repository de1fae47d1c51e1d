using Grpc.Core;
using Mapd.Client;

namespace Mapd.TestClient;

/// <summary>Grows and shrinks a region again and again, stamping every page that appears.</summary>
public static class Resizer
{
    public static async Task<string> RunAsync(MappedRegion region, long min, long max, int count)
    {
        var random = new Random(42);
        var done = 0;
        var retries = 0;
        while (done < count)
        {
            var current = region.Size;
            var grow = current < max && (current <= min || done % 2 == 0);
            var target = grow
                ? current + ((random.NextInt64(current + 1, max + 1) - current) / PageStamps.PageSize * PageStamps.PageSize)
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

            done++;
        }

        return $"ok resizes {done} retries {retries} size {region.Size} generation {region.Generation}";
    }
}
