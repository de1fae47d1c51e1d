using System.Diagnostics.Metrics;
using Grpc.Core;
using Mapd.Server.Meters;

namespace Mapd.Server.Tests.Telemetry;

/// <summary>
/// The events the resize, grace, handoff and error paths report land on the instruments whose
/// names, units and labels the Prometheus exporter turns into the documented series (the
/// integration tests scrape the real daemon for the rest).
/// </summary>
public sealed class MapdMetricsTests : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly int _thread = Environment.CurrentManagedThreadId;
    private readonly List<(string Instrument, string? Unit, double Value, Dictionary<string, object?> Tags)> _measurements = [];

    public MapdMetricsTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MapdMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public void A_resize_counts_by_direction_and_records_its_duration_in_seconds()
    {
        MapdMetrics.ResizeCommitted("grow", TimeSpan.FromMilliseconds(5));
        MapdMetrics.ResizeCommitted("shrink", TimeSpan.FromSeconds(2));

        var counted = Mine("mapd.resizes");
        Assert.Equal(["grow", "shrink"], counted.Select(m => m.Tags["direction"]));
        Assert.All(counted, m => Assert.Equal(("{resize}", 1.0), (m.Unit, m.Value)));
        var timed = Mine("mapd.resize.duration");
        Assert.Equal([0.005, 2.0], timed.Select(m => m.Value));
        Assert.All(timed, m => Assert.Equal("s", m.Unit));
    }

    [Fact]
    public void A_resize_in_no_known_direction_is_a_programming_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MapdMetrics.ResizeCommitted("sideways", TimeSpan.Zero));
    }

    [Fact]
    public void A_grace_period_raises_the_pending_gauge_and_records_its_duration_when_it_ends()
    {
        MapdMetrics.GraceStarted();
        MapdMetrics.GraceEnded(TimeSpan.FromSeconds(30));

        Assert.Equal([1.0, -1.0], Mine("mapd.grace.pending").Select(m => m.Value));
        var ended = Assert.Single(Mine("mapd.grace.duration"));
        Assert.Equal((30.0, "s"), (ended.Value, ended.Unit));
    }

    [Fact]
    public void Handoffs_and_errors_are_counted_with_the_specifications_code_names()
    {
        MapdMetrics.FdHandedOff();
        MapdMetrics.CallFailed(StatusCode.NotFound);
        MapdMetrics.CallFailed(StatusCode.ResourceExhausted);
        MapdMetrics.CallFailed((StatusCode)99);

        Assert.Single(Mine("mapd.fd_handoffs"));
        Assert.Equal(["NOT_FOUND", "RESOURCE_EXHAUSTED", "UNKNOWN"], Mine("mapd.errors").Select(m => m.Tags["code"]));
    }

    // Other tests in this process report too: only this thread's measurements count.
    private List<(string Instrument, string? Unit, double Value, Dictionary<string, object?> Tags)> Mine(string instrument)
    {
        lock (_measurements)
        {
            return [.. _measurements.Where(m => m.Instrument == instrument)];
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (Environment.CurrentManagedThreadId != _thread)
        {
            return;
        }

        lock (_measurements)
        {
            _measurements.Add((instrument.Name, instrument.Unit, value, new Dictionary<string, object?>(tags.ToArray())));
        }
    }
}
