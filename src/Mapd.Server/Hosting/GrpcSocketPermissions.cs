using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Hosting;

/// <summary>
/// Gives Kestrel's <c>mapd.sock</c> the configured mode and group once it is bound and before
/// the daemon reports ready. Until then the socket has the stricter umask mode.
/// </summary>
public sealed partial class GrpcSocketPermissions(SocketDirectory sockets, ILogger<GrpcSocketPermissions> logger) : IHostedLifecycleService
{
    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        sockets.ApplyPermissions(sockets.GrpcSocket);
        Log.Listening(logger, sockets.GrpcSocket, sockets.ModeText, sockets.GroupText);
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
        [LoggerMessage(EventId = 5, EventName = "Listening", Level = LogLevel.Information, Message = "gRPC listening on {Path} (mode {Mode}, group {Group})")]
        public static partial void Listening(ILogger logger, string path, string mode, string group);
    }
}
