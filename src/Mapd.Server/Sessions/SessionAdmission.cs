using System.Net.Sockets;
using System.Security.Cryptography;
using Grpc.Core;
using Mapd.Native;
using Mapd.Server.Meters;
using Mapd.Server.Peers;
using Mapd.Server.Quotas;
using Mapd.Server.Storage;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Sessions;

/// <summary>
/// Decides what becomes of a connection accepted on <c>mapd-fd.sock</c>: identifies the process
/// (SO_PEERCRED and its <see cref="ProcessStamp"/>), takes a session under its uid's quota, and
/// waits at most <see cref="SessionLimits.HelloTimeout"/> for HELLO. A connection over quota is
/// answered with REFUSED (RESOURCE_EXHAUSTED and the limit that was reached) while one of
/// <see cref="DescriptorBudget.RefusalSlots"/> is free, and closed without an answer beyond
/// that, so refusing never costs more descriptors than the budget planned.
/// </summary>
internal sealed partial class SessionAdmission(PeerQuotas quotas, SessionLimits limits, TimeProvider time, ILogger logger)
{
    private int _refusing;
    private readonly PeerLogThrottle<uint> _throttle = new(time, crowd: uint.MaxValue);

    /// <summary>
    /// The session <paramref name="connection"/> asks for, with the quota lease it holds (dispose
    /// it when the session ends); null when it was turned away or went quiet, and the caller
    /// closes it.
    /// </summary>
    public async Task<(Session Session, QuotaLease Lease)?> AdmitAsync(Socket connection, CancellationToken stoppingToken)
    {
        CallerIdentity peer;
        try
        {
            peer = CallerIdentity.Of(connection.SafeHandle);
        }
        catch (SystemCallException)
        {
            // The peer hung up while its connection waited in the queue.
            return null;
        }

        if (quotas.Sessions.TryTake(peer.Uid, out var refusal) is not { } lease)
        {
            await RefuseAsync(connection, peer, refusal, stoppingToken);
            return null;
        }

        try
        {
            var hello = await ReceiveAsync(connection, stoppingToken);
            if (hello is null)
            {
                MapdMetrics.HandshakeTimedOut(SocketLocation.SessionSocketName);
                LogRejected(peer, $"no HELLO within {limits.HelloTimeout.TotalSeconds} s (Mapd:Limits:HelloTimeout)");
                lease.Dispose();
                return null;
            }

            if (!SessionFrames.TryReadHello(hello, out var version) || version != SessionFrames.Version)
            {
                LogRejected(peer, $"expected HELLO version {SessionFrames.Version}, got {hello.Length} bytes");
                lease.Dispose();
                return null;
            }

            return (new Session(connection, RandomNumberGenerator.GetBytes(16), peer, limits.MaxUnreadFds, limits.QueuedMessageCost, time.GetUtcNow()), lease);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>Answers HELLO with REFUSED and the reason, if a refusal slot is free and HELLO comes in time.</summary>
    private async Task RefuseAsync(Socket connection, CallerIdentity peer, string reason, CancellationToken stoppingToken)
    {
        if (Interlocked.Increment(ref _refusing) > DescriptorBudget.RefusalSlots)
        {
            Interlocked.Decrement(ref _refusing);
            LogRejected(peer, $"{reason} (closed without an answer: {DescriptorBudget.RefusalSlots} other refusals are being answered)");
            return;
        }

        try
        {
            LogRejected(peer, reason);
            if (await ReceiveAsync(connection, stoppingToken) is not null)
            {
                var refused = new byte[SessionFrames.MaxLength];
                var length = SessionFrames.WriteRefused(refused, (uint)StatusCode.ResourceExhausted, reason);
                await connection.SendAsync(refused.AsMemory(0, length), SocketFlags.None, stoppingToken);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // The peer left, or the daemon is stopping: nobody to answer.
        }
        finally
        {
            Interlocked.Decrement(ref _refusing);
        }
    }

    /// <summary>The first message, or null when none came within the HELLO deadline.</summary>
    private async Task<byte[]?> ReceiveAsync(Socket connection, CancellationToken stoppingToken)
    {
        var buffer = new byte[SessionFrames.MaxLength];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        deadline.CancelAfter(limits.HelloTimeout);
        try
        {
            var received = await connection.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            return buffer[..received];
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // A loaded daemon may not have read a HELLO that came in time: take it if it is there.
            return connection.Available > 0 ? buffer[..connection.Receive(buffer)] : null;
        }
    }

    private void LogRejected(CallerIdentity peer, string reason)
    {
        if (_throttle.TryLog(peer.Uid, out var heldBack))
        {
            Log.Rejected(logger, peer.Pid, peer.Uid, reason, heldBack);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 304, EventName = "HandshakeRejected", Level = LogLevel.Warning,
            Message = "Refused a session from pid {Pid} uid {Uid}: {Reason} (and {HeldBack} more from this uid in the last second, not logged)")]
        public static partial void Rejected(ILogger logger, int pid, uint uid, string reason, int heldBack);
    }
}
