using System.Net.Sockets;
using Mapd.Native;

namespace Mapd.Client.Tests.Fakes;

/// <summary>
/// The daemon's session socket, played by the test over a real SOCK_SEQPACKET socket: it
/// answers HELLO with WELCOME, hands over descriptors with SCM_RIGHTS, reads what the client sends, and can go away.
/// </summary>
public sealed class SeqPacketDaemon : IDisposable
{
    private readonly ScratchDirectory _directory = new();
    private readonly Socket _listener;
    private Socket? _peer;

    public SeqPacketDaemon()
    {
        Path = _directory.Join("mapd-fd.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(Path));
        _listener.Listen(1);
    }

    public string Path { get; }

    /// <summary>Accepts the client's connection and says nothing.</summary>
    public async Task AcceptAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        _peer = await _listener.AcceptAsync(deadline.Token);
    }

    /// <summary>Accepts the client's connection and says WELCOME to its HELLO.</summary>
    public async Task WelcomeAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await AcceptAsync();
        var hello = new byte[64];
        var received = await Peer.ReceiveAsync(hello, SocketFlags.None, deadline.Token);
        if (!SessionFrames.TryReadHello(hello.AsSpan(0, received), out _))
        {
            throw new InvalidDataException("the client did not say HELLO");
        }

        var welcome = new byte[SessionFrames.WelcomeLength];
        SessionFrames.WriteWelcome(welcome, new byte[16]);
        await Peer.SendAsync(welcome, SocketFlags.None, deadline.Token);
    }

    /// <summary>Sends FD <paramref name="handoffId"/> with <paramref name="descriptor"/>.</summary>
    public void Hand(ulong handoffId, FileDescriptor descriptor)
    {
        var message = new byte[SessionFrames.HandoffLength];
        SessionFrames.WriteFd(message, handoffId);
        if (!UnixSockets.TrySendWithDescriptor(Peer.SafeHandle, message, descriptor, "test session"))
        {
            throw new InvalidOperationException("the client's queue is full");
        }
    }

    /// <summary>Sends <paramref name="message"/> as it is, with <paramref name="descriptor"/> if one is given.</summary>
    public void Send(ReadOnlySpan<byte> message, FileDescriptor? descriptor = null)
    {
        var sent = descriptor is null
            ? UnixSockets.TrySend(Peer.SafeHandle, message, "test session", wait: false)
            : UnixSockets.TrySendWithDescriptor(Peer.SafeHandle, message, descriptor, "test session");
        if (!sent)
        {
            throw new InvalidOperationException("the client's queue is full");
        }
    }

    /// <summary>Waits until the client read everything sent to it, by the kernel's count (SIOCOUTQ).</summary>
    public async Task WaitUntilReadAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (UnixSockets.QueuedBytes(Peer.SafeHandle) > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the client did not read its session socket within 30 s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5));
        }
    }

    /// <summary>Reads the next frame the client sent and returns its bytes.</summary>
    public async Task<byte[]> NextFrameAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[SessionFrames.MaxLength];
        var received = await Peer.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
        return buffer[..received];
    }

    /// <summary>The daemon goes away: the session's connection closes.</summary>
    public void Leave() => Peer.Dispose();

    /// <summary>The daemon is gone for good: the session closes and nothing listens any more.</summary>
    public void Stop()
    {
        Leave();
        _listener.Dispose();
        File.Delete(Path);
    }

    public void Dispose()
    {
        _peer?.Dispose();
        _listener.Dispose();
        _directory.Dispose();
    }

    private Socket Peer => _peer ?? throw new InvalidOperationException("no client connected yet");
}
