using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Mapd.Server.Telemetry;

/// <summary>
/// Unhealthy once the daemon is stopping, so probes and gRPC health watchers stop sending new
/// work while in-flight calls drain.
/// </summary>
public sealed class LifetimeHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("mapd is shutting down")
            : HealthCheckResult.Healthy());
}
