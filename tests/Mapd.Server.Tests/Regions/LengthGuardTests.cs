using Mapd.Native;
using Mapd.Server.Regions;

namespace Mapd.Server.Tests.Regions;

/// <summary>
/// A read-write grant changes bytes, never the length: a length or allocation changed through a
/// descriptor (as a hostile grantee would) is set back by the daemon's file watch, and a file
/// held past its session keeps its capacity charged until the holder lets go.
/// </summary>
public sealed class LengthGuardTests : IDisposable
{
    private const ulong KiB = 1024;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly StoreHarness _harness = new(capacity: "64M");
    private readonly TestMapper _session = new("session");

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_file_cut_short_through_a_granted_descriptor_gets_its_length_back()
    {
        _harness.Create("a", 64 * KiB, _session);
        using var granted = File.OpenHandle(_harness.RegionPath("a"), FileMode.Open, FileAccess.ReadWrite);

        RandomAccess.SetLength(granted, 0);

        await Eventually(() => new FileInfo(_harness.RegionPath("a")).Length == 64 * 1024);
        Assert.Equal(64 * KiB, _harness.Store.Get("a").Size);
    }

    [Fact]
    public async Task A_file_grown_past_its_grant_through_a_granted_descriptor_is_cut_back_and_its_memory_returned()
    {
        _harness.Create("a", 64 * KiB, _session);
        using (var granted = _harness.Root.Regions.OpenFile("a", writable: true))
        {
            Files.Truncate(granted, 8 << 20, "a");
            Files.WriteAll(granted, new byte[1 << 20], "a");
            Files.Allocate(granted, 16 << 20, 8 << 20, keepSize: true, "a");
        }

        await Eventually(() => new FileInfo(_harness.RegionPath("a")).Length == 64 * 1024 && Allocated("a") <= 2 << 20);
    }

    [Fact]
    public async Task A_file_held_past_its_session_keeps_its_capacity_until_the_holder_lets_go()
    {
        _harness.Create("a", 512 * KiB, _session);
        var kept = _harness.Root.Regions.OpenFile("a", writable: true);

        _harness.Store.Delete("a", StoreHarness.Owner);
        _harness.Mappings.RemoveMapper(_session);
        var heldWhileKept = _harness.Store.ReservedBytes;
        var trashWhileKept = _harness.Names("trash");

        // The holder grows its unlinked file: the daemon sets it back to what was granted.
        Files.Truncate(kept, 64 << 20, "kept");
        await Eventually(() => Files.Stat(kept, "kept").Size == 512 * 1024);
        kept.Dispose();
        await Eventually(() => _harness.Store.ReservedBytes == 0);

        Assert.Equal(512 * 1024, heldWhileKept);
        Assert.Empty(trashWhileKept);
    }

    private long Allocated(string name) => _harness.Root.Regions.TryStat(name)!.Value.AllocatedBytes;

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the daemon did not repair it in time");
            await Task.Delay(10);
        }
    }
}
