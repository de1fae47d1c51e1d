using Grpc.Core;
using Mapd.Server.Meters;
using Mapd.Server.Peers;
using Mapd.Server.Quotas;
using Mapd.Server.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Api;

/// <summary>
/// Decides what becomes of a connection accepted on <c>mapd.sock</c>, once
/// <see cref="PeerCredentialsMiddleware"/> has named its process. Over the uid's quota (or the
/// daemon's total) the connection is answered, while one of
/// <see cref="DescriptorBudget.RefusalSlots"/> is free, with RESOURCE_EXHAUSTED and the limit
/// for every call it makes (see <see cref="Http2Refusal"/>), and closed without an answer beyond
/// that. An admitted connection must send the whole HTTP/2 preface within
/// <c>Mapd:Limits:PrefaceTimeout</c> or is closed: the bytes are only looked at, never consumed,
/// so Kestrel reads them as if nothing had been there.
/// </summary>
internal sealed partial class ConnectionAdmission(PeerQuotas quotas, TimeSpan prefaceTimeout, TimeProvider time, ILogger<ConnectionAdmission> logger)
{
    private const int PrefaceLength = 24;
    private readonly PeerLogThrottle<uint> _throttle = new(time, crowd: uint.MaxValue);
    private int _refusing;

    /// <summary>Runs <paramref name="next"/> (Kestrel's HTTP/2) for an admitted connection; answers or closes any other.</summary>
    public async Task ServeAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (connection.Features.Get<CallerFeature>()?.Caller is not { } caller)
        {
            // Without a kernel-named caller nothing on this connection would be served anyway.
            return;
        }

        if (quotas.Connections.TryTake(caller.Uid, out var refusal) is not { } lease)
        {
            await RefuseAsync(connection, caller, refusal);
            return;
        }

        using (lease)
        {
            if (await AwaitPrefaceAsync(connection, caller))
            {
                await next(connection);
            }
        }
    }

    private async Task<bool> AwaitPrefaceAsync(ConnectionContext connection, CallerIdentity caller)
    {
        var input = connection.Transport.Input;
        var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
        var extended = false;
        while (true)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
            deadline.CancelAfter(prefaceTimeout);
            try
            {
                var read = await input.ReadAtLeastAsync(PrefaceLength, deadline.Token);

                // Consumed and examined nothing: the next read, Kestrel's, starts from the same bytes.
                input.AdvanceTo(read.Buffer.Start);
                return read.Buffer.Length >= PrefaceLength;
            }
            catch (OperationCanceledException) when (!connection.ConnectionClosed.IsCancellationRequested)
            {
                // A loaded daemon may not have read what the client sent in time: bytes still in the
                // kernel's queue earn one more period; a client that sent nothing gets none.
                if (!extended && socket is { Available: > 0 })
                {
                    extended = true;
                    continue;
                }

                MapdMetrics.HandshakeTimedOut(SocketLocation.GrpcSocketName);
                LogRejected(caller, $"no HTTP/2 preface within {prefaceTimeout.TotalSeconds} s (Mapd:Limits:PrefaceTimeout)");
                connection.Abort(new ConnectionAbortedException("no HTTP/2 preface in time"));
                return false;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    private async Task RefuseAsync(ConnectionContext connection, CallerIdentity caller, string reason)
    {
        if (Interlocked.Increment(ref _refusing) > DescriptorBudget.RefusalSlots)
        {
            Interlocked.Decrement(ref _refusing);
            LogRejected(caller, $"{reason} (closed without an answer: {DescriptorBudget.RefusalSlots} other refusals are being answered)");
            connection.Abort(new ConnectionAbortedException(reason));
            return;
        }

        try
        {
            LogRejected(caller, reason);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
            deadline.CancelAfter(prefaceTimeout);
            if (!await Http2Refusal.AnswerAsync(connection.Transport, StatusCode.ResourceExhausted, reason, deadline.Token))
            {
                connection.Abort(new ConnectionAbortedException(reason));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ConnectionResetException)
        {
            // Silent past the deadline, or gone: nobody to answer.
            connection.Abort(new ConnectionAbortedException(reason));
        }
        finally
        {
            Interlocked.Decrement(ref _refusing);
        }
    }

    private void LogRejected(CallerIdentity caller, string reason)
    {
        if (_throttle.TryLog(caller.Uid, out var heldBack))
        {
            Log.Rejected(logger, caller.Pid, caller.Uid, reason, heldBack);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 410, EventName = "ConnectionRejected", Level = LogLevel.Warning,
            Message = "Refused a connection to mapd.sock from pid {Pid} uid {Uid}: {Reason} (and {HeldBack} more from this uid in the last second, not logged)")]
        public static partial void Rejected(ILogger logger, int pid, uint uid, string reason, int heldBack);
    }
}
