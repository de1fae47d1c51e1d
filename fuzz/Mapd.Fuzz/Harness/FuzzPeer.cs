using System.Net.Sockets;
using Mapd.Native;
using Mapd.Server.Peers;
using Mapd.Server.Sessions;

namespace Mapd.Fuzz.Harness;

/// <summary>
/// A client process as the daemon sees it: a kernel-style identity and a session over a real
/// SEQPACKET connection, whose client end takes each descriptor the daemon hands off and answers
/// TAKEN (optional in the protocol, and the way to exercise the daemon's reading of it), so opens
/// never wait on an unread socket.
/// </summary>
public sealed class FuzzPeer : IDisposable
{
    private static readonly int MessageCost = UnixSockets.MeasureQueuedMessageCost(SessionFrames.HandoffLength);
    private readonly FileDescriptor _client;

    internal FuzzPeer(Socket listener, string path, CallerIdentity caller, byte id)
    {
        Caller = caller;
        _client = UnixSockets.ConnectSeqPacket(path);
        var sessionId = new byte[16];
        sessionId[0] = id;
        Session = new Session(listener.Accept(), sessionId, caller, maxUnread: 64, MessageCost, DateTimeOffset.UnixEpoch);
    }

    /// <summary>Who calls.</summary>
    public CallerIdentity Caller { get; }

    /// <summary>Its session, registered with the daemon's registry.</summary>
    public Session Session { get; }

    /// <summary>Takes every descriptor waiting on the client end and acknowledges it.</summary>
    public void TakeDescriptors()
    {
        Span<byte> message = stackalloc byte[SessionFrames.MaxLength];
        while (UnixSockets.Receive(_client, message, out var descriptor, "fuzz session", wait: false) is var length and > 0)
        {
            descriptor?.Dispose();
            if (SessionFrames.TryReadFd(message[..length], out var handoffId))
            {
                Session.Taken(handoffId);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Session.Dispose();
        _client.Dispose();
    }
}
