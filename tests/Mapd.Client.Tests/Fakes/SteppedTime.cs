using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Mapd.Client.Tests.Fakes;

/// <summary>A <see cref="FakeTimeProvider"/> that reports each timer (and so each Task.Delay) as it is created, so a test can advance time exactly when the code under test waits.</summary>
public sealed class SteppedTime : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits (up to a generous deadline) for the next timer to be created; returns its due time.</summary>
    public async Task<TimeSpan> NextTimerAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _timers.Reader.ReadAsync(deadline.Token);
    }

    /// <summary>Whether a timer was created and not yet awaited with <see cref="NextTimerAsync"/>.</summary>
    public bool TimerPending => _timers.Reader.Count > 0;
}
