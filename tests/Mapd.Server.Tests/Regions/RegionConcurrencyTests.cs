using Mapd.Server.Regions;

namespace Mapd.Server.Tests.Regions;

/// <summary>
/// Operations on one region are serialised; operations on other regions, and every read, go on
/// while a region's lock is held (as it is during that region's ftruncate, fsync or hole punch).
/// The lock is held by the test itself, so what may not wait is shown deterministically: an
/// operation that did wait would never finish before the lock is let go.
/// </summary>
public sealed class RegionConcurrencyTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(1);
    private readonly StoreHarness _harness = new(capacity: "1M");
    private readonly TestMapper _session = new("session");
    private readonly TestMapper _other = new("other", pid: 4343);

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task While_one_regions_lock_is_held_other_regions_change_and_everything_reads()
    {
        _harness.Create("busy", 4096, _session);
        _harness.Create("free", 4096, _session);
        var busy = _harness.Store.Catalog.Find("busy")!;
        using var held = new ManualResetEventSlim();
        using var letGo = new ManualResetEventSlim();
        var holder = Task.Factory.StartNew(
            () =>
            {
                lock (busy.Gate)
                {
                    held.Set();
                    letGo.Wait();
                }
            },
            TaskCreationOptions.LongRunning);
        held.Wait();

        var others = Task.Run(async () =>
        {
            var grown = await _harness.Resizer.ResizeAsync("free", 8192, 0, StoreHarness.Owner, CancellationToken.None);
            _harness.Mappings.Open("free", writable: false, StoreHarness.Owner, _other).Descriptor.Dispose();
            _harness.Create("new", 4096, _other);
            _harness.Store.Delete("new", StoreHarness.Owner);
            return (grown, _harness.Store.Get("busy"), _harness.Store.List());
        });
        var (grownRegion, busyRegion, listed) = await others.WaitAsync(Deadline);

        Assert.False(holder.IsCompleted);
        Assert.Equal(8192UL, grownRegion.Size);
        Assert.Equal(4096UL, busyRegion.Size);
        Assert.Equal(["busy", "free"], listed.Select(r => r.Name));

        // A change of the busy region itself waits its turn and then goes through.
        var waiting = Task.Run(() => _harness.Resizer.ResizeAsync("busy", 8192, 0, StoreHarness.Owner, CancellationToken.None));
        letGo.Set();
        Assert.Equal(8192UL, (await waiting.WaitAsync(Deadline)).Size);
        await holder.WaitAsync(Deadline);
    }
}
