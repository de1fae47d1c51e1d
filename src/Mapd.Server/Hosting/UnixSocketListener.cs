using System.Net;
using System.Net.Sockets;
using Mapd.Native;
using Mapd.Server.Meters;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Hosting;

/// <summary>
/// Accepts connections on <c>mapd.sock</c> for Kestrel. It holds at most
/// <paramref name="maxOpen"/> at once (the connections the budget plans, and those being told
/// why they are refused): past that it stops accepting, and newcomers wait in the kernel's
/// queue instead of costing descriptors. Kestrel's own listener retries a failed accept at once,
/// so a daemon out of descriptors (EMFILE) would spin on the connection left in the queue; this
/// one counts the shortage in <c>mapd_descriptor_exhausted_total{where="accept"}</c>, logs it
/// at most once a second, and waits before trying again.
/// </summary>
internal sealed partial class UnixSocketListener(
    Socket listener, EndPoint endpoint, SocketConnectionContextFactory connections, int maxOpen, TimeProvider time, ILogger<UnixSocketListener> logger) : IConnectionListener
{
    private readonly SemaphoreSlim _open = new(maxOpen, maxOpen);
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(1);
    private long _lastLogged = long.MinValue;
    private int _heldBack;

    /// <inheritdoc />
    public EndPoint EndPoint => endpoint;

    /// <inheritdoc />
    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                await _open.WaitAsync(cancellationToken);
            }
            catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException)
            {
                return null;
            }

            try
            {
                var socket = await listener.AcceptAsync(cancellationToken);
                var connection = connections.Create(socket);

                // Fires once the connection's receive loop has ended, whoever ended it.
                connection.ConnectionClosed.Register(static open => ((SemaphoreSlim)open!).Release(), _open);
                return connection;
            }
            catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException
                || e is SocketException { SocketErrorCode: SocketError.OperationAborted })
            {
                // Unbound: Kestrel stops accepting.
                Release();
                return null;
            }
            catch (SocketException e)
            {
                Release();
                if (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable || OpenFileLimit.IsExhaustion(e.NativeErrorCode))
                {
                    MapdMetrics.DescriptorsExhausted("accept");
                    LogShortage(e.SocketErrorCode);
                    await Task.Delay(Pause, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }

                // Otherwise the connection was reset while it waited in the queue: take the next.
            }
        }
    }

    /// <inheritdoc />
    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        listener.Dispose();
        return default;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        listener.Dispose();
        connections.Dispose();
        return default;
    }

    private void Release()
    {
        try
        {
            _open.Release();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void LogShortage(SocketError error)
    {
        var now = time.GetTimestamp();
        if (_lastLogged != long.MinValue && time.GetElapsedTime(_lastLogged, now) < LogInterval)
        {
            _heldBack++;
            return;
        }

        Log.AcceptFailed(logger, EndPoint.ToString() ?? "mapd.sock", error.ToString(), _heldBack);
        _lastLogged = now;
        _heldBack = 0;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 320, EventName = "GrpcAcceptFailed", Level = LogLevel.Warning,
            Message = "accept on {Endpoint} failed: {Error}; waiting before the next (and {HeldBack} more since the last line); the daemon is out of descriptors, so check Mapd:Limits and LimitNOFILE")]
        public static partial void AcceptFailed(ILogger logger, string endpoint, string error, int heldBack);
    }
}
