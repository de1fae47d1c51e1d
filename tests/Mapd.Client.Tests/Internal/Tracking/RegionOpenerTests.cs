using Grpc.Core;
using Grpc.Core.Interceptors;
using Mapd.Client.Internal.Calls;
using Mapd.Client.Internal.Mapping;
using Mapd.Client.Internal.Sessions;
using Mapd.Client.Internal.Tracking;
using Mapd.Client.Tests.Fakes;
using Mapd.Native;
using Mapd.Protocol.V1;

namespace Mapd.Client.Tests.Internal.Tracking;

/// <summary>The whole open path with the daemon faked at its gRPC surface and the session at its descriptors; the mapping is real.</summary>
public sealed class RegionOpenerTests : IDisposable
{
    private const ulong Handoff = 7;
    private readonly SteppedTime _time = new();
    private readonly FakeDaemon _daemon = new();
    private readonly FakeSession _session = new("s1");
    private readonly RecordingLogger _log = new();
    private readonly ScratchFile _file = new(4096);
    private readonly CancellationTokenSource _life = new();
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RegionOpener _opener;
    private readonly Regions.RegionsClient _calls;
    private readonly FakeSessions _sessions;

    public RegionOpenerTests()
    {
        var sessions = new FakeSessions(_session);
        _calls = new Regions.RegionsClient(_daemon.Intercept(new SessionInterceptor(sessions)));
        var pinned = new PinnedCalls(new Regions.RegionsClient(_daemon), sessions, _log, _life.Token);
        var table = new RegionTable(TimeSpan.FromMilliseconds(100), _time, pinned);
        var sync = new RegionSync(table, new RegionEventQueue(), pinned, _calls, new MappingPolicy(4, 1L << 20, 1L << 40, false, _log), _log);
        _sessions = sessions;
        _opener = new RegionOpener(table, sync, pinned, sessions, sessions, new SessionOpenSupport(new Regions.RegionsClient(_daemon), enabled: true, TimeSpan.FromSeconds(30), _life.Token), _log);
        _daemon.On<PingRequest>("Ping", (_, _) => new PingResponse { SessionOpen = true });
        _daemon.On<OpenRequest>("Open", (r, _) => new OpenResponse
        {
            Region = new Region { Name = r.Name, Size = (ulong)_file.Length, Generation = 1 },
            HandoffId = Handoff,
            Access = Access.ReadWrite,
        });
        _daemon.On<CloseRequest>("Close", (r, _) =>
        {
            _closed.TrySetResult(r.Name);
            return new CloseResponse();
        });
    }

    public void Dispose()
    {
        _life.Cancel();
        _life.Dispose();
        _file.Dispose();
    }

    [Fact]
    public async Task An_open_maps_the_descriptor_that_arrived_on_the_answering_session_and_closes_after_its_last_use()
    {
        _session.Take = (_, _) => Task.FromResult(_file.OpenAgain(writable: true));

        var region = await OpenAsync("a", CancellationToken.None);
        var size = region.Size;
        region.Dispose();
        _time.Advance(await _time.NextTimerAsync());

        Assert.Equal(4096, size);
        Assert.Equal([Handoff], _session.Taken);
        Assert.Equal(("a", Handoff), await _session.NextCloseAsync());
        Assert.Empty(_daemon.Of("Close"));
    }

    [Fact]
    public async Task A_close_the_session_socket_cannot_take_at_once_is_sent_when_it_can()
    {
        _session.Take = (_, _) => Task.FromResult(_file.OpenAgain(writable: true));
        _session.Full = true;

        (await OpenAsync("a", CancellationToken.None)).Dispose();
        _time.Advance(await _time.NextTimerAsync());

        Assert.Equal(("a", Handoff), await _session.NextCloseAsync());
        Assert.Empty(_daemon.Of("Close"));
    }

    [Fact]
    public async Task An_open_given_up_before_its_answer_came_is_closed_by_a_close_call()
    {
        var answering = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _daemon.OnAsync<OpenRequest>("Open", async (_, _) =>
        {
            answering.TrySetResult();
            await Task.Delay(Timeout.Infinite, _life.Token);
            throw new InvalidOperationException("unreachable");
        });
        using var cancel = new CancellationTokenSource();

        var opening = OpenAsync("a", cancel.Token);
        await answering.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => opening);
        _time.Advance(await _time.NextTimerAsync());

        Assert.Equal("a", await _closed.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("s1", Assert.Single(_daemon.Of("Close")).Session);
        Assert.False(_session.Closes.Reader.TryRead(out _));
    }

    [Fact]
    public async Task An_open_cancelled_while_waiting_for_its_descriptor_is_closed_with_the_daemon()
    {
        // R2: the daemon answered, so it counts this session as a mapper until told otherwise.
        var taking = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _session.Take = async (_, cancellationToken) =>
        {
            taking.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        };
        using var cancel = new CancellationTokenSource();

        var opening = OpenAsync("a", cancel.Token);
        await taking.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => opening);
        _time.Advance(await _time.NextTimerAsync());

        Assert.Equal(("a", Handoff), await _session.NextCloseAsync());
        Assert.Contains("OpenUndone", _log.Events);
    }

    [Fact]
    public async Task An_open_whose_mapping_fails_closes_its_descriptor_and_is_closed_with_the_daemon()
    {
        // A read-only descriptor for a read-write answer: mmap(PROT_WRITE) fails with EACCES.
        var descriptor = _file.OpenAgain(writable: false);
        _session.Take = (_, _) => Task.FromResult(descriptor);

        var e = await Assert.ThrowsAsync<SystemCallException>(() => OpenAsync("a", CancellationToken.None));
        _time.Advance(await _time.NextTimerAsync());

        Assert.Equal(Errnos.EACCES, e.Errno);
        Assert.True(descriptor.IsClosed);
        Assert.Equal(("a", Handoff), await _session.NextCloseAsync());
    }

    [Fact]
    public async Task An_open_the_daemon_refused_is_not_closed()
    {
        _daemon.On<OpenRequest>("Open", (r, _) => throw new RpcException(new Status(StatusCode.NotFound, $"region '{r.Name}' does not exist")));

        var e = await Assert.ThrowsAsync<MapdException>(() => OpenAsync("a", CancellationToken.None));

        Assert.Equal(StatusCode.NotFound, e.Code);
        Assert.False(_time.TimerPending);
        Assert.Empty(_daemon.Of("Close"));
        Assert.False(_session.Closes.Reader.TryRead(out _));
    }

    [Fact]
    public async Task An_open_on_the_session_socket_maps_the_answer_sends_no_call_and_closes_with_a_close_message()
    {
        var asked = new List<(string, Access)>();
        _session.Open = (name, access) =>
        {
            asked.Add((name, access));
            return Task.FromResult(Answer(name, _file.OpenAgain(writable: false), Access.ReadOnly));
        };

        var region = await OpenOnSocketAsync("a", Access.ReadOnly, CancellationToken.None);
        var size = region.Size;
        region.Dispose();
        _time.Advance(await _time.NextTimerAsync());

        Assert.Equal(4096, size);
        Assert.Equal([("a", Access.ReadOnly)], asked);
        Assert.Equal(("a", Handoff), await _session.NextCloseAsync());
        Assert.Empty(_daemon.Of("Open"));
        Assert.Single(_daemon.Of("Ping"));
    }

    [Fact]
    public async Task Each_session_is_asked_once_whether_its_daemon_serves_open_messages()
    {
        _session.Open = (name, _) => Task.FromResult(Answer(name, _file.OpenAgain(writable: false), Access.ReadOnly));

        (await OpenOnSocketAsync("a", Access.ReadOnly, CancellationToken.None)).Dispose();
        (await OpenOnSocketAsync("b", Access.ReadOnly, CancellationToken.None)).Dispose();

        Assert.Single(_daemon.Of("Ping"));
        Assert.Empty(_daemon.Of("Open"));
    }

    [Fact]
    public async Task A_daemon_that_does_not_serve_open_messages_gets_an_open_call()
    {
        _daemon.On<PingRequest>("Ping", (_, _) => new PingResponse());
        _session.Open = (_, _) => throw new InvalidOperationException("no OPEN may be sent to this daemon");
        _session.Take = (_, _) => Task.FromResult(_file.OpenAgain(writable: true));

        using var region = await OpenOnSocketAsync("a", Access.ReadWrite, CancellationToken.None);

        Assert.Single(_daemon.Of("Open"));
        Assert.Equal([Handoff], _session.Taken);
    }

    [Fact]
    public async Task A_daemon_that_cannot_say_whether_it_serves_open_messages_gets_an_open_call_and_is_asked_again()
    {
        _daemon.On<PingRequest>("Ping", (_, _) => throw new RpcException(new Status(StatusCode.Unavailable, "not yet")));
        _session.Take = (_, _) => Task.FromResult(_file.OpenAgain(writable: true));

        (await OpenOnSocketAsync("a", Access.ReadWrite, CancellationToken.None)).Dispose();
        (await OpenOnSocketAsync("a", Access.ReadWrite, CancellationToken.None)).Dispose();

        Assert.Equal(2, _daemon.Of("Ping").Count);
        Assert.Equal(2, _daemon.Of("Open").Count);
    }

    [Fact]
    public async Task A_session_socket_too_full_to_take_the_open_sends_it_as_a_call()
    {
        _session.Take = (_, _) => Task.FromResult(_file.OpenAgain(writable: true));

        using var region = await OpenOnSocketAsync("a", Access.ReadWrite, CancellationToken.None);

        Assert.Single(_daemon.Of("Open"));
    }

    [Fact]
    public async Task An_open_refused_on_the_socket_throws_its_status_and_is_not_closed()
    {
        _session.Open = (name, _) => Task.FromException<OpenedOnSession>(new MapdException(StatusCode.PermissionDenied, $"uid 1 may not read region '{name}'"));

        var e = await Assert.ThrowsAsync<MapdException>(() => OpenOnSocketAsync("a", Access.ReadOnly, CancellationToken.None));

        Assert.Equal(StatusCode.PermissionDenied, e.Code);
        Assert.Equal("uid 1 may not read region 'a'", e.Message);
        Assert.False(_time.TimerPending);
        Assert.False(_session.Closes.Reader.TryRead(out _));
        Assert.Empty(_daemon.Of("Close"));
    }

    [Fact]
    public async Task An_open_given_up_before_its_answer_came_takes_the_answer_when_it_comes_and_closes_it_in_order()
    {
        // R2 on the socket: the daemon answers every OPEN it read, so the answer is waited for
        // and its Close sent with its handoff id, instead of a Close call that could overtake it.
        var answer = new TaskCompletionSource<OpenedOnSession>(TaskCreationOptions.RunContinuationsAsynchronously);
        _session.Open = (_, _) => answer.Task;
        using var cancel = new CancellationTokenSource();

        var opening = OpenOnSocketAsync("a", Access.ReadOnly, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => opening);
        Assert.False(_time.TimerPending);
        var descriptor = _file.OpenAgain(writable: false);
        answer.SetResult(Answer("a", descriptor, Access.ReadOnly));
        _time.Advance(await _time.NextTimerAsync());

        Assert.Equal(("a", Handoff), await _session.NextCloseAsync());
        Assert.True(descriptor.IsClosed);
        Assert.Empty(_daemon.Of("Close"));
    }

    [Fact]
    public async Task An_open_whose_session_ended_before_the_answer_is_asked_again_on_the_next_session()
    {
        var next = new FakeSession("s2");
        _session.Open = (_, _) =>
        {
            _sessions.Replace(next);
            return Task.FromException<OpenedOnSession>(new IOException("the mapd session ended before it answered an open"));
        };
        next.Open = (name, _) => Task.FromResult(Answer(name, _file.OpenAgain(writable: false), Access.ReadOnly));

        var region = await OpenOnSocketAsync("a", Access.ReadOnly, CancellationToken.None);
        region.Dispose();
        _time.Advance(await _time.NextTimerAsync());

        Assert.Equal(("a", Handoff), await next.NextCloseAsync());
        Assert.False(_session.Closes.Reader.TryRead(out _));
        Assert.Equal(2, _daemon.Of("Ping").Count);
    }

    [Fact]
    public async Task A_name_no_open_message_can_carry_goes_as_a_call_for_the_daemon_to_refuse()
    {
        _session.Open = (_, _) => throw new InvalidOperationException("no OPEN may carry this name");
        _daemon.On<OpenRequest>("Open", (r, _) => throw new RpcException(new Status(StatusCode.InvalidArgument, $"'{r.Name}' is not a region name")));

        var e = await Assert.ThrowsAsync<MapdException>(() => OpenOnSocketAsync("a/b", Access.ReadOnly, CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, e.Code);
    }

    private static OpenedOnSession Answer(string name, FileDescriptor descriptor, Access access) => new(
        new OpenResponse { Region = new Region { Name = name, Size = 4096, Generation = 1 }, HandoffId = Handoff, Access = access },
        descriptor);

    private Task<MappedRegion> OpenOnSocketAsync(string name, Access access, CancellationToken cancellationToken) =>
        _opener.OpenAsync(name, access, headers => _calls.OpenAsync(new OpenRequest { Name = name, Access = access }, headers, cancellationToken: cancellationToken), cancellationToken);

    private Task<MappedRegion> OpenAsync(string name, CancellationToken cancellationToken) =>
        _opener.OpenAsync(name, headers => _calls.OpenAsync(new OpenRequest { Name = name, Access = Access.ReadWrite }, headers, cancellationToken: cancellationToken), cancellationToken);
}
