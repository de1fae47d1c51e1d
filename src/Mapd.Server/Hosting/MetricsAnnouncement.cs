using Mapd.Server.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Hosting;

/// <summary>Says where the metrics are once the daemon listens, and why when they are not where the docs say.</summary>
public sealed partial class MetricsAnnouncement(MetricsChoice choice, ILogger<MetricsAnnouncement> logger) : IHostedLifecycleService
{
    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        switch (choice)
        {
            case { Endpoint: null }:
                Log.Off(logger);
                break;
            case { Endpoint: { } endpoint, TakenDefaultPort: { } taken }:
                Log.MovedOffDefault(logger, endpoint, taken);
                break;
            case { Endpoint: { } endpoint }:
                Log.Serving(logger, endpoint);
                break;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, EventName = "MetricsServing", Level = LogLevel.Information, Message = "Metrics on {Url} (and /healthz beside it)")]
        public static partial void Serving(ILogger logger, MetricsEndpoint url);

        [LoggerMessage(EventId = 2, EventName = "MetricsMovedOffDefault", Level = LogLevel.Warning, Message = "Metrics on {Url} (and /healthz beside it): the default port {Taken} is taken (another user's mapd?); set Mapd:Metrics:Url to choose the port")]
        public static partial void MovedOffDefault(ILogger logger, MetricsEndpoint url, int taken);

        [LoggerMessage(EventId = 3, EventName = "MetricsOff", Level = LogLevel.Information, Message = "Metrics are off (Mapd:Metrics:Url is empty)")]
        public static partial void Off(ILogger logger);
    }
}
