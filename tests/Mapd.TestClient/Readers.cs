using Mapd.Client;

namespace Mapd.TestClient;

/// <summary>Reader threads that check page stamps through short leases while the region is resized under them.</summary>
public static class Readers
{
    public static async Task<string> RunAsync(MappedRegion region, int threads, Func<bool> waitForEnd)
    {
        long reads = 0, errors = 0, firstError = -1;
        var sizes = new HashSet<long>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
        {
            var random = new Random(t);
            long localReads = 0;
            while (!stop.IsCancellationRequested)
            {
                using var lease = region.AcquireLease();
                var pages = lease.Length / PageStamps.PageSize;
                for (var i = 0; i < 64 && pages > 0; i++)
                {
                    var offset = random.NextInt64(pages) * PageStamps.PageSize;
                    unsafe
                    {
                        if (!PageStamps.IsValid(lease.Pointer, offset))
                        {
                            Interlocked.Increment(ref errors);
                            Interlocked.CompareExchange(ref firstError, offset, -1);
                        }
                    }

                    localReads++;
                }

                if (t == 0)
                {
                    lock (sizes)
                    {
                        sizes.Add(lease.Length);
                    }
                }
            }

            Interlocked.Add(ref reads, localReads);
        }, TaskCreationOptions.LongRunning)).ToArray();

        Console.WriteLine("ok reading");
        await Task.Run(waitForEnd);
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        return errors == 0
            ? $"ok reads {reads} errors 0 sizes {sizes.Count}"
            : $"error WrongBytes {errors} wrong reads of {reads}, first at offset {firstError}";
    }
}
