using Grpc.Core.Interceptors;
using Mapd.Client.Internal.Calls;
using Mapd.Client.Internal.Mapping;
using Mapd.Client.Internal.Tracking;
using Mapd.Client.Tests.Fakes;
using Mapd.Protocol.V1;

namespace Mapd.Client.Tests.Internal.Tracking;

/// <summary>Following the daemon: events, re-attach and the watch, with the daemon faked at its gRPC surface and real mappings.</summary>
public sealed class RegionSyncTests : IDisposable
{
    private const long Page = 4096;
    private readonly SteppedTime _time = new();
    private readonly FakeDaemon _daemon = new();
    private readonly FakeSession _session = new("s1");
    private readonly FakeSessions _sessions;
    private readonly RecordingLogger _log = new();
    private readonly ScratchFile _file = new(4 * Page);
    private readonly CancellationTokenSource _life = new();
    private readonly RegionTable _table;
    private readonly RegionSync _sync;
    private readonly RegionOpener _opener;
    private readonly Regions.RegionsClient _calls;
    private readonly Regions.RegionsClient _raw;

    public RegionSyncTests()
    {
        _sessions = new FakeSessions(_session);
        _raw = new Regions.RegionsClient(_daemon);
        _calls = new Regions.RegionsClient(_daemon.Intercept(new SessionInterceptor(_sessions)));
        var pinned = new PinnedCalls(_raw, _sessions, _log, _life.Token);
        _table = new RegionTable(TimeSpan.FromMilliseconds(100), _time, pinned);
        _sync = new RegionSync(_table, new RegionEventQueue(), pinned, _calls, new MappingPolicy(4, 1L << 20, 1L << 40, false, _log), _log);
        _opener = new RegionOpener(_table, _sync, pinned, _sessions, _sessions, new SessionOpenSupport(_raw, enabled: false, TimeSpan.FromSeconds(30), _life.Token), _log);
        _daemon.On<OpenRequest>("Open", (r, _) => new OpenResponse
        {
            Region = new Region { Name = r.Name, Size = Page, Generation = 1 },
            HandoffId = 1,
            Access = r.Access == Access.ReadOnly ? Access.ReadOnly : Access.ReadWrite,
        });
        _daemon.On<ReleaseRequest>("Release", (_, _) => new ReleaseResponse());
        _daemon.On<CloseRequest>("Close", (_, _) => new CloseResponse());
        _session.Take = (_, _) => Task.FromResult(_file.OpenAgain(writable: true));
    }

    public void Dispose()
    {
        _life.Cancel();
        _life.Dispose();
        _file.Dispose();
    }

    [Fact]
    public async Task Changes_of_a_region_reach_its_handlers_in_generation_order_and_a_shrink_is_released_once_applied()
    {
        using var region = await OpenAsync("a");
        var changes = Record(region, expected: 4);

        _sync.Dispatch(Event(RegionEvent.Types.Kind.Resized, size: 3 * Page, generation: 2));
        _sync.Dispatch(Event(RegionEvent.Types.Kind.ShrinkPending, size: 3 * Page, generation: 3, pending: 2 * Page));
        _sync.Dispatch(Event(RegionEvent.Types.Kind.Resized, size: 2 * Page, generation: 3));

        Assert.Equal(
            [(RegionChangeKind.Grown, 2UL), (RegionChangeKind.ShrinkPending, 3UL), (RegionChangeKind.Shrunk, 3UL), (RegionChangeKind.Deleted, 3UL)],
            await changes(() => _sync.DispatchDeleted("a")));
        Assert.Equal(2 * Page, region.Size);
        var release = (ReleaseRequest)Assert.Single(_daemon.Of("Release")).Request;
        Assert.Equal(3UL, release.Generation);
    }

    [Fact]
    public async Task A_shrink_this_process_made_stops_new_leases_at_the_new_size_before_ResizeAsync_returns()
    {
        using var region = await OpenAsync("a");
        _daemon.On<ResizeRequest>("Resize", (r, _) => new Region { Name = r.Name, Size = Page, PendingSize = r.Size, Generation = 2 });
        var older = region.AcquireLease();

        var info = await region.ResizeAsync(Page / 2);
        var sizeOnReturn = region.Size;
        using (var lease = region.AcquireLease())
        {
            Assert.Equal(Page / 2, lease.Length);
        }

        older.Dispose();
        Assert.Equal(Page / 2, info.PendingSize);
        Assert.Equal(Page / 2, sizeOnReturn);
    }

    [Fact]
    public async Task A_grow_this_process_made_is_applied_before_ResizeAsync_returns()
    {
        using var region = await OpenAsync("a");
        _daemon.On<ResizeRequest>("Resize", (r, _) => new Region { Name = r.Name, Size = r.Size, Generation = 2 });

        await region.ResizeAsync(3 * Page);

        Assert.Equal(3 * Page, region.Size);
        Assert.Equal(2UL, region.Generation);
    }

    [Fact]
    public async Task An_event_older_than_what_was_applied_changes_nothing()
    {
        using var region = await OpenAsync("a");
        await _sync.ApplyAsync("a", new Region { Name = "a", Size = 3 * Page, Generation = 4 }, RegionEvent.Types.Kind.Resized);

        await _sync.ApplyAsync("a", new Region { Name = "a", Size = 2 * Page, Generation = 3 }, RegionEvent.Types.Kind.Resized);

        Assert.Equal(3 * Page, region.Size);
        Assert.Equal(4UL, region.Generation);
    }

    [Fact]
    public async Task After_a_restart_every_mapped_name_is_opened_again_on_the_new_session_with_its_widest_access()
    {
        using var reader = await OpenAsync("a", Access.ReadOnly);
        using var writer = await OpenAsync("a");
        var changes = Record(reader, expected: 1);
        var next = _sessions.Replace(new FakeSession("s2"));
        ((FakeSession)next.Session).Take = (_, _) => Task.FromResult(_file.OpenAgain(writable: true));

        await new Reattacher(_table, _sync, _raw, _log).AttachAsync(next, CancellationToken.None);

        var reopened = _daemon.Of("Open").Last();
        Assert.Equal("s2", reopened.Session);
        Assert.Equal(Access.ReadWrite, ((OpenRequest)reopened.Request).Access);
        Assert.Equal([(RegionChangeKind.Reattached, 1UL)], await changes(() => { }));
        Assert.Contains("Reattached", _log.Events);
    }

    [Fact]
    public async Task A_region_deleted_while_the_daemon_was_down_counts_as_deleted()
    {
        using var region = await OpenAsync("a");
        var changes = Record(region, expected: 1);
        _daemon.On<OpenRequest>("Open", (_, _) => throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.NotFound, "no region 'a'")));
        var next = _sessions.Replace(new FakeSession("s2"));

        await new Reattacher(_table, _sync, _raw, _log).AttachAsync(next, CancellationToken.None);

        Assert.Equal([(RegionChangeKind.Deleted, 1UL)], await changes(() => { }));
        Assert.Contains("ReattachFoundDeleted", _log.Events);
    }

    [Fact]
    public async Task A_region_created_anew_while_the_daemon_was_down_is_closed_again_and_counts_as_deleted()
    {
        using var region = await OpenAsync("a");
        var changes = Record(region, expected: 1);
        using var other = new ScratchFile(Page);
        var next = _sessions.Replace(new FakeSession("s2"));
        ((FakeSession)next.Session).Take = (_, _) => Task.FromResult(other.OpenAgain(writable: true));

        await new Reattacher(_table, _sync, _raw, _log).AttachAsync(next, CancellationToken.None);

        Assert.Equal([(RegionChangeKind.Deleted, 1UL)], await changes(() => { }));
        Assert.Equal("s2", Assert.Single(_daemon.Of("Close")).Session);
        Assert.Contains("ReattachFoundReplaced", _log.Events);
    }

    [Fact]
    public async Task The_watch_hands_events_over_and_watches_again_after_the_daemon_ended_it()
    {
        using var region = await OpenAsync("a");
        var changes = Record(region, expected: 2);
        using var stop = new CancellationTokenSource();
        var watching = new WatchPump(_raw, _sync, _time, _log).ServeAsync(_sessions.Current, stop.Token);

        var first = await _daemon.NextStreamAsync();
        await first.Writer.WriteAsync(Event(RegionEvent.Types.Kind.Resized, size: 2 * Page, generation: 2));
        first.Writer.Complete(new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Unavailable, "mapd is stopping")));
        var restartDelay = await _time.NextTimerAsync();
        _time.Advance(restartDelay);
        var second = await _daemon.NextStreamAsync();
        await second.Writer.WriteAsync(Event(RegionEvent.Types.Kind.Resized, size: 3 * Page, generation: 3));

        Assert.Equal([(RegionChangeKind.Grown, 2UL), (RegionChangeKind.Grown, 3UL)], await changes(() => { }));
        Assert.Equal(TimeSpan.FromMilliseconds(100), restartDelay);
        Assert.Contains("WatchRestarted", _log.Events);
        Assert.All(_daemon.Of("Watch"), c => Assert.Equal("s1", c.Session));
        await stop.CancelAsync();
        await watching.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static RegionEvent Event(RegionEvent.Types.Kind kind, long size, ulong generation, long pending = 0) =>
        new() { Kind = kind, Region = new Region { Name = "a", Size = (ulong)size, Generation = generation, PendingSize = (ulong)pending } };

    /// <summary>Records the Changed events of <paramref name="region"/>; the returned function runs a last step and waits for <paramref name="expected"/> of them.</summary>
    private static Func<Action, Task<List<(RegionChangeKind, ulong)>>> Record(MappedRegion region, int expected)
    {
        var seen = new List<(RegionChangeKind, ulong)>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        region.Changed += (_, change) =>
        {
            lock (seen)
            {
                seen.Add((change.Kind, change.Generation));
                if (seen.Count == expected)
                {
                    done.TrySetResult();
                }
            }
        };
        return async last =>
        {
            last();
            await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
            lock (seen)
            {
                return [.. seen];
            }
        };
    }

    private Task<MappedRegion> OpenAsync(string name, Access access = Access.ReadWrite) =>
        _opener.OpenAsync(name, headers => _calls.OpenAsync(new OpenRequest { Name = name, Access = access }, headers), CancellationToken.None);
}
