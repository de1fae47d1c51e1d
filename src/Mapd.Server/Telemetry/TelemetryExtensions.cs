using Mapd.Server.Meters;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Mapd.Server.Telemetry;

/// <summary>Wires metrics and health into the host.</summary>
public static class TelemetryExtensions
{
    /// <summary>
    /// Registers the health checks (used by gRPC health and <c>/healthz</c>) and, when
    /// <paramref name="endpoint"/> is set, the <c>mapd</c> meter with runtime, process and
    /// ASP.NET Core metrics behind a Prometheus exporter.
    /// </summary>
    public static IServiceCollection AddMapdTelemetry(this IServiceCollection services, MetricsEndpoint? endpoint)
    {
        services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>("storage")
            .AddCheck<LifetimeHealthCheck>("lifetime");
        if (endpoint is null)
        {
            return services;
        }

        services.AddSingleton<MapdGauges>();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("mapd", serviceVersion: typeof(MapdMetrics).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics => metrics
                .AddMeter(MapdMetrics.MeterName)
                .AddRuntimeInstrumentation()
                .AddProcessInstrumentation()
                .AddAspNetCoreInstrumentation()
                .AddLintCleanNames()
                .AddPrometheusExporter(prometheus =>
                {
                    // Scrapes come every few seconds; a cached answer would show regions that are gone.
                    prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                }));
        return services;
    }

    // Prometheus reserves a "_count" suffix for histograms and summaries (promtool check metrics
    // rejects it elsewhere), but these semantic-convention gauges end in ".count".
    private static MeterProviderBuilder AddLintCleanNames(this MeterProviderBuilder metrics) => metrics
        .AddView("dotnet.assembly.count", "dotnet.assemblies")
        .AddView("dotnet.process.cpu.count", "dotnet.process.cpus")
        .AddView("dotnet.timer.count", "dotnet.timers")
        .AddView("process.thread.count", "process.threads")
        .AddView("process.unix.file_descriptor.count", "process.unix.file_descriptors");

    /// <summary>Listens for scrapes on the loopback endpoint, HTTP/1.1 as Prometheus speaks it.</summary>
    public static void ListenMetrics(this KestrelServerOptions kestrel, MetricsEndpoint endpoint)
    {
        if (endpoint.Address is { } address)
        {
            kestrel.Listen(address, endpoint.Port, listen => listen.Protocols = HttpProtocols.Http1);
        }
        else
        {
            kestrel.ListenLocalhost(endpoint.Port, listen => listen.Protocols = HttpProtocols.Http1);
        }
    }

    /// <summary>
    /// Serves the scrape path and <c>/healthz</c> on TCP connections, which only the metrics
    /// listener accepts; everything else there is 404, so gRPC stays on the Unix socket where
    /// callers are identified by SO_PEERCRED.
    /// </summary>
    public static void UseMapdTelemetry(this WebApplication app, MetricsEndpoint? endpoint)
    {
        if (endpoint is null)
        {
            return;
        }

        // Created now, rather than by the first scrape, so every series is there from the start.
        app.Services.GetRequiredService<MeterProvider>();
        app.Services.GetRequiredService<MapdGauges>();
        MapdMetrics.PublishZeros();
        app.MapWhen(
            context => context.Connection.LocalIpAddress is not null,
            branch =>
            {
                branch.UseOpenTelemetryPrometheusScrapingEndpoint(endpoint.ScrapePath);
                branch.UseHealthChecks(MetricsEndpoint.HealthPath);
                branch.Run(context =>
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                });
            });
    }
}
