using Mapd.Client.Internal.Sessions;

namespace Mapd.Client.Tests.Internal.Sessions;

public sealed class BackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Maximum = TimeSpan.FromSeconds(2);

    [Fact]
    public void Steps_double_from_the_initial_delay_up_to_the_cap()
    {
        var backoff = new Backoff(Initial, Maximum, new Random(1));

        Assert.Equal(
            [50, 100, 200, 400, 800, 1600, 2000, 2000],
            Enumerable.Range(0, 8).Select(a => backoff.Step(a).TotalMilliseconds));
        Assert.Equal(Maximum, backoff.Step(int.MaxValue));
    }

    [Fact]
    public void Each_delay_is_between_half_its_step_and_its_step()
    {
        var backoff = new Backoff(Initial, Maximum, new Random(7));

        for (var attempt = 0; attempt < 40; attempt++)
        {
            var step = backoff.Step(attempt);
            var delay = backoff.Delay(attempt);
            Assert.InRange(delay, step / 2, step);
        }
    }

    [Fact]
    public void Clients_that_lost_the_daemon_together_do_not_retry_in_step()
    {
        var delays = Enumerable.Range(0, 20).Select(seed => new Backoff(Initial, Maximum, new Random(seed)).Delay(5)).ToHashSet();

        Assert.True(delays.Count > 10, $"only {delays.Count} distinct delays among 20 clients");
    }
}
