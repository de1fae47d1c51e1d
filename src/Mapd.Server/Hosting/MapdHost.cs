using System.Net.Sockets;
using Mapd.Native;
using Mapd.Server.Api;
using Mapd.Server.Api.Wire;
using Mapd.Server.Errors;
using Mapd.Server.Quotas;
using Mapd.Server.Regions;
using Mapd.Server.Sessions;
using Mapd.Server.Storage;
using Mapd.Server.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mapd.Server.Hosting;

/// <summary>Builds and runs the daemon.</summary>
public static class MapdHost
{
    /// <summary>Builds the host: configuration, storage, sockets, gRPC.</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);

        var options = builder.Configuration.GetSection(MapdOptions.Section).Get<MapdOptions>() ?? new MapdOptions();
        builder.Services.Configure<MapdOptions>(builder.Configuration.GetSection(MapdOptions.Section));

        ConfigureLogging(builder);
        ConfigureSystemd(builder.Services);

        var sockets = new SocketDirectory(options);
        sockets.Prepare();
        var activation = SocketActivation.FromEnvironment();
        if (!activation.HasGrpc)
        {
            SocketDirectory.ClearStale(sockets.GrpcSocket, SocketType.Stream);
        }

        var metricsChoice = MetricsChoice.Resolve(builder.Configuration);
        var metrics = metricsChoice.Endpoint;

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sockets);
        builder.Services.AddSingleton(activation);
        builder.Services.AddRegions(options);
        if (!activation.HasGrpc)
        {
            // An inherited socket has the SocketMode=/SocketGroup= of mapd.socket already.
            builder.Services.AddHostedService<GrpcSocketPermissions>();
        }

        builder.Services.AddSingleton<IConnectionListenerFactory, UnixSocketTransport>();
        builder.Services.AddSingleton(sp => new ConnectionAdmission(
            sp.GetRequiredService<PeerQuotas>(),
            RegionServices.Positive(options.Limits.PrefaceTimeout, "PrefaceTimeout"),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ConnectionAdmission>>()));
        builder.Services.AddSingleton<ErrorInterceptor>();
        builder.Services.AddSingleton<BulkReadLane>();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<ErrorInterceptor>();
            grpc.EnableDetailedErrors = false;
            grpc.MaxReceiveMessageSize = RequestFrames.MaxMessageBytes;
        });
        builder.Services.AddGrpcHealthChecks(health => health.Services.Map(Protocol.V1.Regions.Descriptor.FullName, _ => true));
        builder.Services.AddGrpcReflection();
        builder.Services.AddMalformedCallHandling();
        builder.Services.AddMapdTelemetry(metrics);
        builder.Services.AddSingleton(metricsChoice);
        builder.Services.AddHostedService<MetricsAnnouncement>();

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // UnixSocketListener holds mapd.sock to its share of the descriptor budget, and
            // ConnectionAdmission answers connections over a quota; Kestrel's own limit would also
            // count the metrics listener's.
            void Grpc(ListenOptions listen)
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UsePeerCredentials();
                listen.UseConnectionAdmission();
            }

            if (activation.GrpcDescriptor is { } inherited)
            {
                kestrel.ListenHandle((ulong)inherited, Grpc);
            }
            else
            {
                kestrel.ListenUnixSocket(sockets.GrpcSocket, Grpc);
            }

            if (metrics is not null)
            {
                kestrel.ListenMetrics(metrics);
            }
        });

        var app = builder.Build();

        // Open storage and recover regions now, so a bad configuration stops the daemon before it listens.
        app.Services.GetRequiredService<RegionStore>();
        app.Services.GetRequiredService<DaemonInfo>();
        app.UseMapdTelemetry(metrics);
        app.UseMalformedCallHandling();
        app.MapGrpcService<RegionsService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }

    private static void ConfigureLogging(WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        if (JournalOutput.IsActive)
        {
            // journald adds its own timestamps and reads <N> priority prefixes instead of colors.
            builder.Logging.AddSystemdConsole();
        }
        else
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss.fff ";
                console.UseUtcTimestamp = true;
            });
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
    }

    private static void ConfigureSystemd(IServiceCollection services)
    {
        // UseSystemd() only activates when systemd is the parent; sd_notify semantics are
        // "notify whenever NOTIFY_SOCKET is set", so wire the package's lifetime ourselves.
        if (SystemdHelpers.IsSystemdService() || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET")))
        {
            services.AddSingleton<ISystemdNotifier, BestEffortSystemdNotifier>();
            services.AddSingleton<IHostLifetime, SystemdLifetime>();
            services.AddHostedService<SystemdStatus>();
        }
    }
}
