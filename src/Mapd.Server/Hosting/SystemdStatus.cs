using Mapd.Server.Regions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Mapd.Server.Hosting;

/// <summary>
/// Sends <c>STATUS=</c> lines beside the lifetime's READY=1 and STOPPING=1, so
/// <c>systemctl status mapd</c> says what the daemon is doing.
/// </summary>
public sealed class SystemdStatus(ISystemdNotifier notifier, SocketDirectory sockets, RegionStore store, MetricsChoice metrics) : IHostedLifecycleService
{
    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        Notify($"Serving {store.Count} regions on {sockets.Path}; metrics {metrics.Endpoint?.ToString() ?? "off"}");
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        Notify("Stopping: draining calls and sessions");
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Notify(string status) => notifier.Notify(new ServiceState("STATUS=" + status.ReplaceLineEndings(" ")));
}
