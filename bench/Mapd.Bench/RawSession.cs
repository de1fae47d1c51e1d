using Grpc.Core;
using Mapd.Native;
using Mapd.Protocol.V1;

namespace Mapd.Bench;

/// <summary>
/// A session on <c>mapd-fd.sock</c> read inline by whichever caller needs a descriptor, instead
/// of by the client library's receiver thread. Opening through it splits Open into the daemon's
/// part (the gRPC reply) and the client's part (recvmsg, TAKEN, mmap), and prototypes a client
/// without the receiver thread's wake-up and hand-over: the daemon queues the FD message before
/// it sends the reply, so once a caller holds its reply its FD is already readable, and a
/// blocking recvmsg never waits. FD messages of other callers met on the way are kept for them.
/// </summary>
internal sealed class RawSession : IDisposable
{
    private readonly FileDescriptor _socket;
    private readonly string _path;
    private readonly byte[] _buffer = new byte[SessionFrames.MaxLength];
    private readonly byte[] _open = new byte[SessionOpenFrames.MaxOpenLength];
    private readonly byte[] _taken = new byte[SessionFrames.HandoffLength];
    private readonly Lock _gate = new();
    private readonly Dictionary<ulong, FileDescriptor> _early = [];
    private readonly bool _acknowledge;
    private ulong _lastRequest;

    private RawSession(FileDescriptor socket, string path, string id, bool acknowledge)
    {
        _acknowledge = acknowledge;
        _socket = socket;
        _path = path;
        Headers = new Metadata { { "mapd-session", id } };
    }

    /// <summary>The <c>mapd-session</c> metadata for calls on behalf of this session.</summary>
    public Metadata Headers { get; }

    /// <summary>Connects and runs HELLO/WELCOME.</summary>
    /// <param name="path">The session socket.</param>
    /// <param name="acknowledge">
    /// Answer each FD with TAKEN, which the protocol allows (the daemon counts unread descriptors in
    /// the kernel's queue, so TAKEN only frees room sooner). False for the experiment that prices it.
    /// </param>
    public static RawSession Connect(string path, bool acknowledge = true)
    {
        var socket = UnixSockets.ConnectSeqPacket(path);
        try
        {
            var hello = new byte[SessionFrames.HelloLength];
            SessionFrames.WriteHello(hello);
            UnixSockets.Send(socket, hello, path);
            var welcome = new byte[64];
            var received = UnixSockets.Receive(socket, welcome, out var stray, path);
            stray?.Dispose();
            if (!SessionFrames.TryReadWelcome(welcome.AsSpan(0, received), out _, out var id))
            {
                throw new InvalidOperationException($"{path} did not answer HELLO with WELCOME");
            }

            return new RawSession(socket, path, Convert.ToHexStringLower(id), acknowledge);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The descriptor of <paramref name="handoffId"/>, whose Open reply the caller holds:
    /// kept from an earlier read, or read now (acknowledging each FD read with TAKEN).
    /// </summary>
    public FileDescriptor Take(ulong handoffId)
    {
        lock (_gate)
        {
            if (_early.Remove(handoffId, out var early))
            {
                return early;
            }

            while (true)
            {
                var received = UnixSockets.Receive(_socket, _buffer, out var descriptor, _path);
                if (!SessionFrames.TryReadFd(_buffer.AsSpan(0, received), out var id) || descriptor is null)
                {
                    descriptor?.Dispose();
                    throw new InvalidOperationException($"expected an FD message on {_path}, got {received} bytes");
                }

                if (_acknowledge)
                {
                    var length = SessionFrames.WriteTaken(_taken, [id]);
                    UnixSockets.Send(_socket, _taken.AsSpan(0, length), _path);
                }

                if (id == handoffId)
                {
                    return descriptor;
                }

                _early.Add(id, descriptor);
            }
        }
    }

    /// <summary>
    /// Opens <paramref name="name"/> with an OPEN message and reads its answer, which must come
    /// next: the descriptor of its OPENED, or the status of its OPEN_FAILED as an exception. Not
    /// for concurrent callers.
    /// </summary>
    public FileDescriptor Open(string name, Access access)
    {
        lock (_gate)
        {
            var requestId = ++_lastRequest;
            UnixSockets.Send(_socket, _open.AsSpan(0, SessionOpenFrames.WriteOpen(_open, requestId, access, name)), _path);
            var received = UnixSockets.Receive(_socket, _buffer, out var descriptor, _path);
            var message = _buffer.AsSpan(0, received);
            if (SessionOpenFrames.TryReadOpened(message, out var answered, out _, out _, out _) && answered == requestId && descriptor is not null)
            {
                return descriptor;
            }

            descriptor?.Dispose();
            if (SessionOpenFrames.TryReadFailed(message, out answered, out var code, out var reason) && answered == requestId)
            {
                throw new RpcException(new Status((StatusCode)code, reason));
            }

            throw new InvalidOperationException($"expected the answer to OPEN {requestId} on {_path}, got {received} bytes");
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        foreach (var descriptor in _early.Values)
        {
            descriptor.Dispose();
        }
    }
}
