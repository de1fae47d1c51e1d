using Mapd.Server.Errors;
using Mapd.Server.Regions;

namespace Mapd.Server.Tests.Regions;

/// <summary>
/// Interleavings of a session's end with calls that already looked the session up, played in a
/// fixed order: the session ends first, then the call goes on.
/// </summary>
public sealed class RegionLifecycleRaceTests : IDisposable
{
    private const ulong KiB = 1024;
    private readonly StoreHarness _harness = new(capacity: "1M");
    private readonly TestMapper _owner = new("owner");

    private RegionStore Store => _harness.Store;

    private RegionMappings Mappings => _harness.Mappings;

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task An_open_whose_session_ended_after_it_was_looked_up_is_refused_and_blocks_no_shrink()
    {
        _harness.Create("a", 64 * KiB, _owner);
        var late = new TestMapper("late", pid: 4343);

        // The session's socket closed after the Open call found the session, before it registered.
        Mappings.RemoveMapper(late);
        var error = Assert.Throws<RefusedException>(() => Mappings.Open("a", writable: false, StoreHarness.Owner, late));

        Assert.Equal(Refusal.FailedPrecondition, error.Reason);
        Assert.Contains("ended", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, Store.Get("a").MapperCount);
        Assert.Empty(Mappings.RegionsOf(late));

        // Nothing waits for the late session: once the owner closes, a shrink commits at once.
        Mappings.Close("a", _owner);
        var shrunk = await _harness.Resizer.ResizeAsync("a", 4 * KiB, 0, StoreHarness.Owner, CancellationToken.None);
        Assert.Equal(0UL, shrunk.PendingSize);
        Assert.Equal(4096, new FileInfo(_harness.RegionPath("a")).Length);
    }

    [Fact]
    public void An_open_whose_session_ended_never_keeps_a_deleted_region_alive()
    {
        _harness.Create("a", 64 * KiB, _owner);
        var late = new TestMapper("late", pid: 4343);
        Mappings.RemoveMapper(late);

        Assert.Throws<RefusedException>(() => Mappings.Open("a", writable: true, StoreHarness.Owner, late));
        Store.Delete("a", StoreHarness.Owner);
        Mappings.RemoveMapper(_owner);

        Assert.Equal(0, Store.ReservedBytes);
        Assert.Empty(_harness.Names("trash"));
    }

    [Fact]
    public void A_create_whose_session_ended_is_undone_completely()
    {
        var late = new TestMapper("late", pid: 4343);
        Mappings.RemoveMapper(late);

        var error = Assert.Throws<RefusedException>(() => _harness.Create("a", 64 * KiB, late));

        Assert.Equal(Refusal.FailedPrecondition, error.Reason);
        Assert.Equal(0, Store.Count);
        Assert.Equal(0, Store.ReservedBytes);
        Assert.Empty(_harness.Names("regions"));
        Assert.Empty(_harness.Names("meta"));
        Assert.Equal(Refusal.NotFound, Assert.Throws<RefusedException>(() => Store.Get("a")).Reason);
        _harness.Create("a", 4 * KiB, _owner);
    }

    [Fact]
    public void A_session_that_ends_while_it_maps_regions_is_removed_from_each()
    {
        _harness.Create("a", 4 * KiB, _owner);
        _harness.Create("b", 4 * KiB, _owner);

        Mappings.RemoveMapper(_owner);

        Assert.Equal(0, Store.Get("a").MapperCount);
        Assert.Equal(0, Store.Get("b").MapperCount);
        Assert.Equal(Refusal.FailedPrecondition, Assert.Throws<RefusedException>(() => Mappings.Open("a", writable: true, StoreHarness.Owner, _owner)).Reason);
    }

    [Fact]
    public void A_close_from_the_session_socket_closes_unless_a_newer_open_overtook_it()
    {
        _harness.Create("a", 4 * KiB, _owner);
        var reader = new TestMapper("reader", pid: 4343);
        Mappings.Open("a", writable: false, StoreHarness.Owner, reader, handoffId: 10).Descriptor.Dispose();

        // The reader closed after the open of handoff 10, then opened again (handoff 12), and
        // that open reached the daemon before the CLOSE did: the CLOSE is stale.
        Mappings.Open("a", writable: false, StoreHarness.Owner, reader, handoffId: 12).Descriptor.Dispose();
        var stale = Mappings.CloseUnlessReopened("a", 10, reader);
        var mappedAfterStale = Store.Get("a").MapperCount;
        var current = Mappings.CloseUnlessReopened("a", 12, reader);

        Assert.False(stale);
        Assert.Equal(2, mappedAfterStale);
        Assert.True(current);
        Assert.Equal(1, Store.Get("a").MapperCount);
        Assert.Equal(Refusal.NotFound, Assert.Throws<RefusedException>(() => Mappings.CloseUnlessReopened("a", 12, reader)).Reason);
    }
}
