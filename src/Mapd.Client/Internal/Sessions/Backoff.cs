namespace Mapd.Client.Internal.Sessions;

/// <summary>
/// Delays between reconnect attempts: exponential up to a cap, with jitter so that the clients
/// of a restarted daemon do not all knock at the same instant. "Equal jitter": each delay is
/// half its exponential step plus a random part of the other half, so it never drops to zero.
/// </summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan maximum, Random random)
{
    public static Backoff Default() => new(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2), Random.Shared);

    public TimeSpan Initial { get; } = initial;

    public TimeSpan Maximum { get; } = maximum;

    /// <summary>The delay before attempt <paramref name="attempt"/> (0 = the first).</summary>
    public TimeSpan Delay(int attempt)
    {
        var step = Step(attempt);
        return step / 2 + step / 2 * random.NextDouble();
    }

    /// <summary>The exponential step of <paramref name="attempt"/>, without jitter.</summary>
    public TimeSpan Step(int attempt)
    {
        var factor = Math.Pow(2, Math.Clamp(attempt, 0, 30));
        return TimeSpan.FromTicks((long)Math.Min(Initial.Ticks * factor, Maximum.Ticks));
    }
}
