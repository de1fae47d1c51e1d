using Mapd.Native;
using Mapd.Server.Errors;
using Mapd.Server.Peers;
using Mapd.Server.Regions;
using Mapd.Server.Storage;

namespace Mapd.Server.Tests.Regions;

/// <summary>Online resize: grow commits at once; a shrink waits for every mapper's Release (or its end).</summary>
public sealed class RegionResizerTests : IDisposable
{
    private const ulong KiB = 1024;
    private readonly StoreHarness _harness = new(capacity: "1M");
    private readonly TestMapper _session = new("session-1");
    private readonly TestMapper _other = new("session-2", pid: 4343, uid: 1001);

    private RegionStore Store => _harness.Store;

    private RegionMappings Mappings => _harness.Mappings;

    private RegionResizer Resizer => _harness.Resizer;

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Grow_extends_the_file_bumps_the_generation_and_takes_capacity()
    {
        _harness.Create("a", 4096, _session);

        var region = await Resizer.ResizeAsync("a", 64 * KiB, 1, StoreHarness.Owner, CancellationToken.None);

        Assert.Equal(64 * KiB, region.Size);
        Assert.Equal(2UL, region.Generation);
        Assert.Equal(0UL, region.PendingSize);
        Assert.Equal(64 * 1024, new FileInfo(_harness.RegionPath("a")).Length);
        Assert.Equal(64 * 1024, Store.ReservedBytes);
        Assert.Equal(64 * KiB, RegionRecord.FromJson(File.ReadAllBytes(_harness.MetadataPath("a"))).Size);
    }

    [Fact]
    public async Task Grow_beyond_capacity_is_RESOURCE_EXHAUSTED_and_changes_nothing()
    {
        _harness.Create("a", 512 * KiB, _session);
        _harness.Create("b", 4096, _session);

        var error = await Assert.ThrowsAsync<RefusedException>(() => Resizer.ResizeAsync("b", 600 * KiB, 0, StoreHarness.Owner, CancellationToken.None));

        Assert.Equal(Refusal.ResourceExhausted, error.Reason);
        Assert.Equal(4096, new FileInfo(_harness.RegionPath("b")).Length);
        Assert.Equal(1UL, Store.Get("b").Generation);
        Assert.Equal((512 * 1024) + 4096, Store.ReservedBytes);
    }

    [Fact]
    public async Task Resize_to_the_same_size_changes_nothing()
    {
        _harness.Create("a", 4096, _session);

        var region = await Resizer.ResizeAsync("a", 4096, 0, StoreHarness.Owner, CancellationToken.None);

        Assert.Equal(1UL, region.Generation);
    }

    [Fact]
    public async Task A_stale_expected_generation_is_FAILED_PRECONDITION()
    {
        _harness.Create("a", 4096, _session);
        await Resizer.ResizeAsync("a", 8192, 0, StoreHarness.Owner, CancellationToken.None);

        var error = await Assert.ThrowsAsync<RefusedException>(() => Resizer.ResizeAsync("a", 16384, 1, StoreHarness.Owner, CancellationToken.None));

        Assert.Equal(Refusal.FailedPrecondition, error.Reason);
        Assert.Equal(8192UL, Store.Get("a").Size);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData((1UL << 20) + 1)]
    public async Task A_bad_size_is_INVALID_ARGUMENT(ulong size)
    {
        _harness.Create("a", 4096, _session);

        var error = await Assert.ThrowsAsync<RefusedException>(() => Resizer.ResizeAsync("a", size, 0, StoreHarness.Owner, CancellationToken.None));

        Assert.Equal(Refusal.InvalidArgument, error.Reason);
    }

    [Fact]
    public async Task Resize_needs_write_permission()
    {
        _harness.Create("a", 4096, _session, mode: 0b110_110_100);
        var groupWriter = new CallerIdentity(5, 2000, StoreHarness.Owner.Gid, []);

        var denied = await Assert.ThrowsAsync<RefusedException>(() => Resizer.ResizeAsync("a", 8192, 0, StoreHarness.Stranger, CancellationToken.None));
        var allowed = await Resizer.ResizeAsync("a", 8192, 0, groupWriter, CancellationToken.None);

        Assert.Equal(Refusal.PermissionDenied, denied.Reason);
        Assert.Equal(8192UL, allowed.Size);
    }

    [Fact]
    public async Task Resize_of_a_missing_region_is_NOT_FOUND()
    {
        var error = await Assert.ThrowsAsync<RefusedException>(() => Resizer.ResizeAsync("nope", 4096, 0, StoreHarness.Owner, CancellationToken.None));

        Assert.Equal(Refusal.NotFound, error.Reason);
    }

    [Fact]
    public async Task Shrink_of_a_region_nobody_maps_commits_at_once()
    {
        _harness.Create("a", 64 * KiB, _session);
        Mappings.Close("a", _session);

        var region = await Resizer.ResizeAsync("a", 4096, 0, StoreHarness.Owner, CancellationToken.None);

        Assert.Equal(4096UL, region.Size);
        Assert.Equal(0UL, region.PendingSize);
        Assert.Equal(2UL, region.Generation);
        Assert.Equal(4096, new FileInfo(_harness.RegionPath("a")).Length);
        Assert.Equal(4096, Store.ReservedBytes);
    }

    [Fact]
    public async Task After_an_immediate_shrink_the_region_can_be_resized_again()
    {
        _harness.Create("a", 64 * KiB, _session);
        Mappings.Close("a", _session);
        await Resizer.ResizeAsync("a", 4096, 0, StoreHarness.Owner, CancellationToken.None);

        var grown = await Resizer.ResizeAsync("a", 8192, 0, StoreHarness.Owner, CancellationToken.None)
            .WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(8192UL, grown.Size);
    }

    [Fact]
    public async Task Shrink_of_a_mapped_region_is_announced_and_the_file_keeps_its_size()
    {
        _harness.Create("a", 64 * KiB, _session);

        var region = await Resizer.ResizeAsync("a", 4096, 0, StoreHarness.Owner, CancellationToken.None);

        Assert.Equal(64 * KiB, region.Size);
        Assert.Equal(4096UL, region.PendingSize);
        Assert.Equal(2UL, region.Generation);
        Assert.Equal(64 * 1024, new FileInfo(_harness.RegionPath("a")).Length);
        Assert.Equal(64 * 1024, Store.ReservedBytes);
        Assert.Equal(1, Store.PendingShrinks);
        var mapper = Assert.Single(Store.Get("a").Mappers);
        Assert.True(mapper.Blocking);
    }

    [Fact]
    public async Task A_pending_shrink_commits_when_the_last_mapper_releases_its_generation()
    {
        _harness.Create("a", 64 * KiB, _session);
        Mappings.Open("a", writable: true, StoreHarness.Owner, _other).Descriptor.Dispose();
        var announced = await Resizer.ResizeAsync("a", 4096, 0, StoreHarness.Owner, CancellationToken.None);

        Mappings.Release("a", announced.Generation, _session);
        var afterFirst = new FileInfo(_harness.RegionPath("a")).Length;
        Mappings.Release("a", announced.Generation, _other);

        Assert.Equal(64 * 1024, afterFirst);
        Assert.Equal(4096, new FileInfo(_harness.RegionPath("a")).Length);
        var region = Store.Get("a");
        Assert.Equal(4096UL, region.Size);
        Assert.Equal(0UL, region.PendingSize);
        Assert.Equal(4096, Store.ReservedBytes);
        Assert.Equal(0, Store.PendingShrinks);
        var persisted = RegionRecord.FromJson(File.ReadAllBytes(_harness.MetadataPath("a")));
        Assert.Equal((4096UL, 0UL), (persisted.Size, persisted.PendingSize));
    }

    [Fact]
    public async Task Releasing_an_older_generation_does_not_count_for_a_pending_shrink()
    {
        _harness.Create("a", 64 * KiB, _session);
        await Resizer.ResizeAsync("a", 4096, 0, StoreHarness.Owner, CancellationToken.None);

        Mappings.Release("a", 1, _session);

        Assert.Equal(4096UL, Store.Get("a").PendingSize);
        Assert.Equal(64 * 1024, new FileInfo(_harness.RegionPath("a")).Length);
    }

    [Fact]
    public async Task A_session_that_ends_counts_as_released()
    {
        _harness.Create("a", 64 * KiB, _session);
        await Resizer.ResizeAsync("a", 4096, 0, StoreHarness.Owner, CancellationToken.None);

        Mappings.RemoveMapper(_session);

        Assert.Equal(4096, new FileInfo(_harness.RegionPath("a")).Length);
        Assert.Equal(0UL, Store.Get("a").PendingSize);
    }

    [Fact]
    public async Task A_session_opening_during_a_pending_shrink_is_not_waited_for()
    {
        _harness.Create("a", 64 * KiB, _session);
        var announced = await Resizer.ResizeAsync("a", 4096, 0, StoreHarness.Owner, CancellationToken.None);
        var (opened, fd) = Mappings.Open("a", writable: true, StoreHarness.Owner, _other);
        fd.Dispose();

        Mappings.Release("a", announced.Generation, _session);

        Assert.Equal(4096UL, opened.PendingSize);
        Assert.Equal(4096, new FileInfo(_harness.RegionPath("a")).Length);
    }

    [Fact]
    public async Task Past_the_grace_timeout_the_tail_is_punched_out_but_not_truncated()
    {
        var (_, loan) = Store.Create("a", 64 * KiB, 0, 0, StoreHarness.Owner, _session);
        using (loan)
        {
            var fd = loan.Descriptor;
            Files.WriteAll(fd, new byte[64 * 1024].Select(_ => (byte)1).ToArray(), "a");
            await Resizer.ResizeAsync("a", 4096, 0, StoreHarness.Owner, CancellationToken.None);
            var before = Files.Stat(fd, "a");

            _harness.Time.Advance(StoreHarness.GraceTimeout);
            var after = Files.Stat(fd, "a");

            Assert.Equal(64 * 1024, after.Size);
            Assert.True(after.AllocatedBytes <= 4096 && before.AllocatedBytes >= 64 * 1024, $"allocated {before.AllocatedBytes} -> {after.AllocatedBytes}");
            Assert.True(Store.Get("a").PendingShrink!.HolePunched);
            Mappings.Release("a", Store.Get("a").Generation, _session);
            Assert.Equal(4096, Files.Stat(fd, "a").Size);
        }
    }

    [Fact]
    public async Task A_resize_arriving_during_a_pending_shrink_waits_for_it()
    {
        _harness.Create("a", 64 * KiB, _session);
        var announced = await Resizer.ResizeAsync("a", 4096, 0, StoreHarness.Owner, CancellationToken.None);

        var queued = Resizer.ResizeAsync("a", 8192, 0, StoreHarness.Owner, CancellationToken.None);
        var waitedAtFirst = !queued.IsCompleted;
        Mappings.Release("a", announced.Generation, _session);
        var grown = await queued.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(waitedAtFirst);
        Assert.Equal(8192UL, grown.Size);
        Assert.Equal(announced.Generation + 1, grown.Generation);
    }

    [Fact]
    public async Task A_queued_resize_whose_deadline_passes_is_DEADLINE_EXCEEDED()
    {
        _harness.Create("a", 64 * KiB, _session);
        await Resizer.ResizeAsync("a", 4096, 0, StoreHarness.Owner, CancellationToken.None);
        using var deadline = new CancellationTokenSource();

        var queued = Resizer.ResizeAsync("a", 8192, 0, StoreHarness.Owner, deadline.Token);
        await deadline.CancelAsync();
        var error = await Assert.ThrowsAsync<RefusedException>(() => queued);

        Assert.Equal(Refusal.DeadlineExceeded, error.Reason);
        Assert.Equal(64 * KiB, Store.Get("a").Size);
    }

    [Fact]
    public async Task Delete_during_a_pending_shrink_fails_a_queued_resize_with_NOT_FOUND()
    {
        _harness.Create("a", 64 * KiB, _session);
        await Resizer.ResizeAsync("a", 4096, 0, StoreHarness.Owner, CancellationToken.None);
        var queued = Resizer.ResizeAsync("a", 8192, 0, StoreHarness.Owner, CancellationToken.None);

        Store.Delete("a", StoreHarness.Owner);
        var error = await Assert.ThrowsAsync<RefusedException>(() => queued.WaitAsync(TimeSpan.FromMinutes(1)));
        Mappings.RemoveMapper(_session);

        Assert.Equal(Refusal.NotFound, error.Reason);
        Assert.Equal(0, Store.ReservedBytes);
        Assert.Empty(_harness.Names("trash"));
    }

    [Fact]
    public void Release_by_a_session_that_does_not_map_the_region_is_NOT_FOUND()
    {
        _harness.Create("a", 4096, _session);

        var error = Assert.Throws<RefusedException>(() => Mappings.Release("a", 1, _other));

        Assert.Equal(Refusal.NotFound, error.Reason);
    }

    [Fact]
    public void Release_of_a_generation_from_the_future_is_INVALID_ARGUMENT()
    {
        _harness.Create("a", 4096, _session);

        var error = Assert.Throws<RefusedException>(() => Mappings.Release("a", 2, _session));

        Assert.Equal(Refusal.InvalidArgument, error.Reason);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_shrink_pending_at_a_crash_or_asked_for_in_the_recovery_window_cuts_only_once_it_ends(bool pendingAtTheCrash)
    {
        _harness.Create("a", 64 * KiB, _session);

        // Asked for after the restart, nobody re-opened "a" yet: a process that mapped it before the crash may still be on its way back.
        var pending = await ShrinkAcrossRestartAsync(pendingAtTheCrash);
        var lengthInWindow = new FileInfo(_harness.RegionPath("a")).Length;
        _harness.Time.Advance(StoreHarness.RecoveryWindow);

        Assert.Equal(4096UL, pending.PendingSize);
        Assert.True(pending.PendingShrink!.Recovering);
        Assert.Equal(64 * 1024, lengthInWindow);
        Assert.Equal(4096, new FileInfo(_harness.RegionPath("a")).Length);
        Assert.Equal(0UL, Store.Get("a").PendingSize);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_session_reopening_in_the_recovery_window_must_release_before_the_shrink_commits(bool pendingAtTheCrash)
    {
        _harness.Create("a", 64 * KiB, _session);
        await ShrinkAcrossRestartAsync(pendingAtTheCrash);
        var returning = new TestMapper("returning");

        Mappings.Open("a", writable: true, StoreHarness.Owner, returning).Descriptor.Dispose();
        _harness.Time.Advance(StoreHarness.RecoveryWindow);
        var lengthAfterWindow = new FileInfo(_harness.RegionPath("a")).Length;
        Mappings.Release("a", Store.Get("a").Generation, returning);

        Assert.Equal(64 * 1024, lengthAfterWindow);
        Assert.Equal(4096, new FileInfo(_harness.RegionPath("a")).Length);
    }

    [Fact]
    public async Task A_region_created_after_a_restart_shrinks_at_once_since_nobody_mapped_it_before()
    {
        _harness.Create("old", 4096, _session);
        _harness.Restart();
        _harness.Create("new", 64 * KiB, _session);
        Mappings.Close("new", _session);

        var shrunk = await Resizer.ResizeAsync("new", 4096, 0, StoreHarness.Owner, CancellationToken.None);

        Assert.Equal(0UL, shrunk.PendingSize);
        Assert.Equal(4096, new FileInfo(_harness.RegionPath("new")).Length);
    }

    [Fact]
    public async Task Watchers_see_the_current_state_then_resized_and_shrink_pending_events()
    {
        _harness.Create("a", 4096, _session);
        using var watch = _harness.Watch(_session, []);

        await Resizer.ResizeAsync("a", 8192, 0, StoreHarness.Owner, CancellationToken.None);
        await Resizer.ResizeAsync("a", 4096, 0, StoreHarness.Owner, CancellationToken.None);
        Mappings.Release("a", 3, _session);

        var kinds = new List<(RegionUpdateKind, ulong)>();
        while (watch.Updates.TryRead(out var e))
        {
            kinds.Add((e.Kind, e.Region.Generation));
        }

        Assert.Equal(
            [
                (RegionUpdateKind.Current, 1UL),
                (RegionUpdateKind.Resized, 2UL),
                (RegionUpdateKind.ShrinkPending, 3UL),
                (RegionUpdateKind.Resized, 3UL),
            ],
            kinds);
    }

    [Fact]
    public async Task A_shrink_that_fails_to_persist_does_not_block_later_resizes()
    {
        _harness.Create("a", 64 * KiB, _session);
        // A directory where the metadata's temporary file goes makes the announcement's write fail.
        var obstacle = Path.Join(_harness.StoragePath, "meta", ".a.json.tmp");
        Directory.CreateDirectory(obstacle);

        await Assert.ThrowsAsync<SystemCallException>(() => Resizer.ResizeAsync("a", 4096, 0, StoreHarness.Owner, CancellationToken.None));
        Directory.Delete(obstacle);
        using var deadline = new CancellationTokenSource();
        var next = Resizer.ResizeAsync("a", 128 * KiB, 0, StoreHarness.Owner, deadline.Token);
        var completedAtOnce = next.IsCompleted;
        await deadline.CancelAsync(); // Ends the wait if the gate was lost; no effect once completed.

        Assert.True(completedAtOnce, "the failed shrink kept the region's resize gate: every later resize waits for its deadline");
        Assert.Equal(128 * KiB, (await next).Size);
    }

    [Fact]
    public async Task A_grow_waits_for_a_shrink_a_laggard_holds_only_for_the_grace_period_then_supersedes_it()
    {
        var (_, loan) = Store.Create("a", 64 * KiB, 0, 0, StoreHarness.Owner, _session);
        using (loan)
        {
            Files.WriteAll(loan.Descriptor, Enumerable.Repeat((byte)7, 64 * 1024).ToArray(), "a");
            var announced = await Resizer.ResizeAsync("a", 4 * KiB, 0, StoreHarness.Owner, CancellationToken.None);

            // _session never releases: it is the laggard.
            var grow = Resizer.ResizeAsync("a", 128 * KiB, 0, StoreHarness.Owner, CancellationToken.None);
            var waitedInGrace = !grow.IsCompleted;
            _harness.Time.Advance(StoreHarness.GraceTimeout);
            var grown = await grow.WaitAsync(TimeSpan.FromMinutes(1));

            Assert.True(waitedInGrace);
            Assert.Equal(128 * KiB, grown.Size);
            Assert.Equal(0UL, grown.PendingSize);
            Assert.Null(grown.PendingShrink);
            Assert.Equal(announced.Generation + 1, grown.Generation);
            Assert.Equal(128 * 1024, Files.Stat(loan.Descriptor, "a").Size);
            Assert.Equal(128 * 1024, Store.ReservedBytes);
            Assert.Equal(0, Store.PendingShrinks);

            // The bytes the shrink discarded read as zeros, as after a cut and a grow; the rest stay.
            var bytes = File.ReadAllBytes(_harness.RegionPath("a"));
            Assert.All(bytes[..4096], b => Assert.Equal(7, b));
            Assert.All(bytes[4096..], b => Assert.Equal(0, b));
        }
    }

    [Fact]
    public async Task A_smaller_shrink_past_the_grace_period_retargets_and_waits_for_every_mapper_again()
    {
        _harness.Create("a", 64 * KiB, _session);
        Mappings.Open("a", writable: true, StoreHarness.Owner, _other).Descriptor.Dispose();
        var first = await Resizer.ResizeAsync("a", 32 * KiB, 0, StoreHarness.Owner, CancellationToken.None);
        Mappings.Release("a", first.Generation, _other);
        _harness.Time.Advance(StoreHarness.GraceTimeout);

        var retargeted = await Resizer.ResizeAsync("a", 8 * KiB, 0, StoreHarness.Owner, CancellationToken.None);
        Mappings.Release("a", retargeted.Generation, _session);
        var stillPending = Store.Get("a").PendingSize;
        Mappings.Release("a", retargeted.Generation, _other);

        Assert.Equal((64 * KiB, 8 * KiB, first.Generation + 1), (retargeted.Size, retargeted.PendingSize, retargeted.Generation));
        Assert.Equal(8 * KiB, stillPending);
        Assert.Equal(8 * KiB, Store.Get("a").Size);
        Assert.Equal(8 * 1024, new FileInfo(_harness.RegionPath("a")).Length);
    }

    [Fact]
    public async Task A_larger_target_past_the_grace_period_waits_only_for_the_laggards_and_never_again_for_the_grace_period()
    {
        _harness.Create("a", 64 * KiB, _session);
        Mappings.Open("a", writable: true, StoreHarness.Owner, _other).Descriptor.Dispose();
        var first = await Resizer.ResizeAsync("a", 8 * KiB, 0, StoreHarness.Owner, CancellationToken.None);
        Mappings.Release("a", first.Generation, _other);
        _harness.Time.Advance(StoreHarness.GraceTimeout);

        var retargeted = await Resizer.ResizeAsync("a", 32 * KiB, 0, StoreHarness.Owner, CancellationToken.None);
        var next = Resizer.ResizeAsync("a", 16 * KiB, 0, StoreHarness.Owner, CancellationToken.None);
        var nextWaited = !next.IsCompleted;
        var afterNext = await next.WaitAsync(TimeSpan.FromMinutes(1));
        Mappings.Release("a", afterNext.Generation, _session);
        Mappings.Release("a", afterNext.Generation, _other);

        Assert.Equal((64 * KiB, 32 * KiB), (retargeted.Size, retargeted.PendingSize));
        Assert.True(retargeted.PendingShrink!.HolePunched);
        Assert.False(nextWaited);
        Assert.Equal(16 * KiB, afterNext.PendingSize);
        Assert.Equal(16 * KiB, Store.Get("a").Size);
        Assert.Equal(16 * 1024, new FileInfo(_harness.RegionPath("a")).Length);
    }

    /// <summary>Shrinks "a" to 4096 bytes before a restart (pending at the crash) or right after it; returns the region as it is then.</summary>
    private async Task<RegionSnapshot> ShrinkAcrossRestartAsync(bool beforeTheRestart)
    {
        if (beforeTheRestart)
        {
            await Resizer.ResizeAsync("a", 4096, 0, StoreHarness.Owner, CancellationToken.None);
            _harness.Restart();
            return Store.Get("a");
        }

        _harness.Restart();
        return await Resizer.ResizeAsync("a", 4096, 0, StoreHarness.Owner, CancellationToken.None);
    }
}
