using Mapd.Native;
using Mapd.Server.Regions;
using Mapd.Server.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mapd.Server.Tests.Regions;

/// <summary>Clean-up that failed for want of a resource is tried again later, under the region's lock, and never from a timer that throws.</summary>
public sealed class CleanupRetriesTests : IDisposable
{
    private static readonly IOException OutOfDescriptors = new SystemCallException("openat", "trash/a.1", Errnos.EMFILE);
    private readonly StoreHarness _harness = new();
    private readonly CleanupRetries _retries;
    private readonly ManagedRegion _region = new("a");

    public CleanupRetriesTests() =>
        _retries = new CleanupRetries(new RegionChanges(new RegionFiles(_harness.Root), _harness.Descriptors, _harness.Watches), _harness.Time, NullLogger.Instance);

    public void Dispose()
    {
        _retries.Dispose();
        _harness.Dispose();
    }

    [Fact]
    public void Work_that_keeps_failing_is_tried_again_after_1_2_4_8_16_then_every_30_seconds()
    {
        var runs = new List<TimeSpan>();
        var start = _harness.Time.GetUtcNow();
        void Work()
        {
            runs.Add(_harness.Time.GetUtcNow() - start);
            _retries.Schedule(_region, "free", OutOfDescriptors, Work);
        }

        _retries.Schedule(_region, "free", OutOfDescriptors, Work);
        for (var second = 0; second < 31 + 30 + 30; second++)
        {
            _harness.Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal([1, 3, 7, 15, 31, 61, 91], runs.Select(r => r.TotalSeconds));
        Assert.Equal(1, _retries.Count);
    }

    [Fact]
    public void Work_that_succeeds_is_not_tried_again_and_leaves_no_timer()
    {
        var timers = _harness.Time.ActiveTimers;
        var runs = 0;
        _retries.Schedule(_region, "free", OutOfDescriptors, () => runs++);

        _harness.Time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(1, runs);
        Assert.Equal(0, _retries.Count);
        Assert.Equal(timers, _harness.Time.ActiveTimers);
    }

    [Fact]
    public void A_newer_retry_replaces_the_one_due_for_the_same_region()
    {
        var runs = new List<string>();
        _retries.Schedule(_region, "cut", OutOfDescriptors, () => runs.Add("cut"));
        _retries.Schedule(_region, "free", OutOfDescriptors, () => runs.Add("free"));

        _harness.Time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(["free"], runs);
    }

    [Fact]
    public void Work_runs_under_the_regions_lock()
    {
        var held = false;
        _retries.Schedule(_region, "free", OutOfDescriptors, () => held = _region.Gate.IsHeldByCurrentThread);

        _harness.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(held);
    }

    [Fact]
    public void Work_that_throws_something_else_is_dropped_without_the_exception_leaving_the_timer()
    {
        _retries.Schedule(_region, "free", OutOfDescriptors, () => throw new InvalidOperationException("a bug"));

        var error = Record.Exception(() => _harness.Time.Advance(TimeSpan.FromSeconds(1)));

        Assert.Null(error);
        Assert.Equal(0, _retries.Count);
    }

    [Fact]
    public void Dispose_stops_every_retry_due()
    {
        var timers = _harness.Time.ActiveTimers;
        var runs = 0;
        _retries.Schedule(_region, "free", OutOfDescriptors, () => runs++);

        _retries.Dispose();
        _harness.Time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(0, runs);
        Assert.Equal(timers, _harness.Time.ActiveTimers);
    }
}
