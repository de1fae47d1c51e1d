using System.Threading.Channels;
using Mapd.Client.Internal.Sessions;
using Mapd.Client.Internal.Tracking;
using Mapd.Client.Tests.Fakes;
using Mapd.Protocol.V1;

namespace Mapd.Client.Tests.Internal.Tracking;

public sealed class RegionTableTests : IDisposable
{
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(100);
    private readonly SteppedTime _time = new();
    private readonly Channel<string> _closes = Channel.CreateUnbounded<string>();
    private readonly ScratchFile _file = new(4096);
    private readonly SessionState _session = new(new FakeSession("s1"));
    private readonly Closer _closer;
    private readonly TrackingHost _host;

    public RegionTableTests()
    {
        _closer = new Closer(_closes);
        _host = new TrackingHost(new RegionTable(Linger, _time, _closer), _session);
    }

    private RegionTable Table => _host.Table;

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task The_last_mapping_disposed_is_closed_after_the_linger_and_not_before()
    {
        var region = _host.Open("a", _file);

        region.Dispose();
        var due = await _time.NextTimerAsync();
        _time.Advance(due - TimeSpan.FromMilliseconds(1));
        var closedEarly = _closes.Reader.TryRead(out _);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(Linger, due);
        Assert.False(closedEarly);
        Assert.Equal("a", await NextCloseAsync());
    }

    [Fact]
    public async Task Opening_the_name_again_within_the_linger_calls_the_close_off()
    {
        _host.Open("a", _file).Dispose();
        await _time.NextTimerAsync();

        var again = _host.Open("a", _file);
        _time.Advance(TimeSpan.FromSeconds(10));
        var closedWhileInUse = _closes.Reader.TryRead(out _);
        again.Dispose();
        _time.Advance(await _time.NextTimerAsync());

        Assert.False(closedWhileInUse);
        Assert.Equal("a", await NextCloseAsync());
    }

    [Fact]
    public void Disposing_one_of_two_mappings_of_a_name_closes_nothing()
    {
        var first = _host.Open("a", _file);
        using var second = _host.Open("a", _file);

        first.Dispose();

        Assert.False(_time.TimerPending);
        Assert.Equal([second], Table.Snapshot("a"));
    }

    [Fact]
    public async Task A_shrink_announced_while_the_close_lingers_closes_at_once()
    {
        _host.Open("a", _file).Dispose();
        await _time.NextTimerAsync();

        var used = Table.Observe(new Region { Name = "a", Size = 4096, PendingSize = 1024, Generation = 2 }, RegionEvent.Types.Kind.ShrinkPending);

        Assert.True(used);
        Assert.Equal("a", await NextCloseAsync());
    }

    [Fact]
    public void An_open_the_daemon_refused_leaves_nothing_to_close()
    {
        var ticket = Table.BeginOpen("a");
        Table.EndOpen(ticket);

        Assert.False(_time.TimerPending);
        Assert.False(Table.Observe(new Region { Name = "a", Generation = 2 }, RegionEvent.Types.Kind.Resized));
    }

    [Fact]
    public async Task An_open_that_failed_after_the_daemon_answered_is_closed_after_the_linger()
    {
        // R2: the daemon counts this session as a mapper from its answer on.
        var ticket = Table.BeginOpen("a");
        Table.Replied(ticket, _session, 3);
        Table.EndOpen(ticket);

        _time.Advance(await _time.NextTimerAsync());

        Assert.Equal("a", await NextCloseAsync());
        Assert.Equal(new CloseOrder("a", _session, 3), _closer.Orders.Single());
    }

    [Fact]
    public async Task An_open_waits_for_a_close_of_the_name_already_on_its_way()
    {
        var closing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _closer.Sending = closing.Task;
        _host.Open("a", _file).Dispose();
        _time.Advance(await _time.NextTimerAsync());
        await NextCloseAsync();

        var ticket = Table.BeginOpen("a");
        var waitedForClose = !ticket.Closing.IsCompleted;
        closing.SetResult();
        await ticket.Closing.WaitAsync(TimeSpan.FromSeconds(30));
        Table.EndOpen(ticket);

        Assert.True(waitedForClose);
    }

    [Fact]
    public void A_newer_state_seen_while_an_open_was_on_its_way_is_handed_to_the_open()
    {
        var ticket = Table.BeginOpen("a");
        Table.Replied(ticket, _session, 1);
        Table.Observe(new Region { Name = "a", Size = 8192, Generation = 5 }, RegionEvent.Types.Kind.Resized);
        using var region = MappedRegion.Map(_host, _file.OpenAgain(writable: true), new Region { Name = "a", Size = 4096, Generation = 1 }, RegionAccess.ReadWrite);

        var newer = Table.Add(ticket, region);
        Table.EndOpen(ticket);

        Assert.Equal(5UL, newer?.Generation);
    }

    [Fact]
    public void Once_stopped_nothing_lingers()
    {
        var region = _host.Open("a", _file);
        Table.Stop();

        region.Dispose();

        Assert.False(_time.TimerPending);
    }

    [Fact]
    public void Re_attach_sees_each_name_once_with_the_widest_access()
    {
        using var first = _host.Open("a", _file);
        using var second = _host.Open("a", _file);
        using var other = _host.Open("b", _file);

        var mapped = Table.Mapped().OrderBy(m => m.Name, StringComparer.Ordinal).ToList();

        Assert.Equal(["a", "b"], mapped.Select(m => m.Name));
        Assert.All(mapped, m => Assert.Equal(RegionAccess.ReadWrite, m.Access));
        Assert.Same(first, mapped[0].Sample);
    }

    [Fact]
    public async Task The_close_names_the_largest_handoff_the_session_answered_with_and_goes_at_once_when_it_can()
    {
        _closer.Immediate = true;
        var first = _host.Open("a", _file);
        var second = _host.Open("a", _file);
        var third = _host.Open("a", _file);

        second.Dispose();
        third.Dispose();
        first.Dispose();
        _time.Advance(await _time.NextTimerAsync());

        Assert.Equal(new CloseOrder("a", _session, 3), _closer.Orders.Single());
        Assert.Equal("a", await NextCloseAsync());
        Assert.Empty(Table.Mapped());
        Assert.True(Table.BeginOpen("a").Closing.IsCompleted);
    }

    [Fact]
    public async Task An_open_whose_answer_was_lost_is_closed_without_a_session_so_by_a_close_call()
    {
        _closer.Immediate = true;
        _host.Open("a", _file).Dispose();
        var lost = Table.BeginOpen("a");
        Table.AnswerLost(lost);
        Table.EndOpen(lost);

        _time.Advance(await _time.NextTimerAsync());

        Assert.Equal(new CloseOrder("a", null, 1), _closer.Orders.Single());
        Assert.Equal("a", await NextCloseAsync());
    }

    [Fact]
    public async Task A_session_that_answered_later_replaces_the_one_the_close_names()
    {
        var next = new SessionState(new FakeSession("s2"));
        using var region = _host.Open("a", _file);

        var reattached = Table.Reattached("a", next, 9);
        region.Dispose();
        _time.Advance(await _time.NextTimerAsync());
        await NextCloseAsync();

        Assert.True(reattached);
        Assert.Equal(new CloseOrder("a", next, 9), _closer.Orders.Single());
    }

    [Fact]
    public void A_name_no_longer_used_when_the_reattach_answered_is_left_for_the_caller_to_close()
    {
        _host.Open("a", _file).Dispose();

        Assert.False(Table.Reattached("a", new SessionState(new FakeSession("s2")), 9));
        Assert.False(Table.Reattached("b", new SessionState(new FakeSession("s2")), 9));
    }

    private async Task<string> NextCloseAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _closes.Reader.ReadAsync(deadline.Token);
    }

    /// <summary>Records each order; closes at once only when <see cref="Immediate"/>, else as a call that ends with <see cref="Sending"/>.</summary>
    private sealed class Closer(Channel<string> closes) : IRegionCloser
    {
        public List<CloseOrder> Orders { get; } = [];

        public bool Immediate { get; set; }

        public Task Sending { get; set; } = Task.CompletedTask;

        public bool TryCloseNow(CloseOrder order)
        {
            if (!Immediate || order.Session is null)
            {
                return false;
            }

            Record(order);
            return true;
        }

        public Task CloseAsync(CloseOrder order)
        {
            Record(order);
            return Sending;
        }

        private void Record(CloseOrder order)
        {
            lock (Orders)
            {
                Orders.Add(order);
            }

            closes.Writer.TryWrite(order.Name);
        }
    }
}
