using System.Runtime.InteropServices;
using System.Text;
using Mapd.Native.Internal;
using static Mapd.Native.Internal.Constants;

namespace Mapd.Native;

/// <summary>Unix-socket operations .NET's <c>Socket</c> lacks: SCM_RIGHTS, SO_PEERCRED, SO_PEERGROUPS.</summary>
public static unsafe class UnixSockets
{
    private const int SunPathOffset = 2;
    private const int SunPathLength = 108;

    /// <summary>Connects a blocking <c>SOCK_SEQPACKET</c> socket to <paramref name="path"/>.</summary>
    public static FileDescriptor ConnectSeqPacket(string path)
    {
        var raw = Libc.Socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (raw < 0)
        {
            throw SystemCallException.FromLastError("socket(AF_UNIX, SOCK_SEQPACKET)");
        }

        var fd = new FileDescriptor(raw);
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length >= SunPathLength)
        {
            fd.Dispose();
            throw new ArgumentException($"socket path '{path}' is {bytes.Length} bytes; a Unix socket path must be shorter than {SunPathLength}", nameof(path));
        }

        var address = stackalloc byte[SunPathOffset + SunPathLength];
        new Span<byte>(address, SunPathOffset + SunPathLength).Clear();
        *(ushort*)address = AF_UNIX;
        bytes.CopyTo(new Span<byte>(address + SunPathOffset, SunPathLength));
        while (Libc.Connect(fd, address, (uint)(SunPathOffset + bytes.Length + 1)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errnos.EINTR)
            {
                fd.Dispose();
                throw new SystemCallException("connect", path, errno);
            }
        }

        return fd;
    }

    /// <summary>
    /// Sends one message carrying <paramref name="descriptor"/> in SCM_RIGHTS, without blocking.
    /// Returns false when the peer's queue is full (EAGAIN).
    /// </summary>
    public static bool TrySendWithDescriptor(SafeHandle socket, ReadOnlySpan<byte> payload, SafeHandle descriptor, string what)
    {
        var added = false;
        descriptor.DangerousAddRef(ref added);
        try
        {
            var control = stackalloc byte[ControlSpace];
            new Span<byte>(control, ControlSpace).Clear();
            var header = (Libc.ControlMessageHeader*)control;
            header->Length = (nuint)(sizeof(Libc.ControlMessageHeader) + sizeof(int));
            header->Level = SOL_SOCKET;
            header->Type = SCM_RIGHTS;
            *(int*)(control + sizeof(Libc.ControlMessageHeader)) = (int)descriptor.DangerousGetHandle();

            fixed (byte* data = payload)
            {
                var iov = new Libc.IoVector { Base = data, Length = (nuint)payload.Length };
                var message = new Libc.MessageHeader
                {
                    Iov = &iov,
                    IovLength = 1,
                    Control = control,
                    ControlLength = (nuint)ControlSpace,
                };
                while (true)
                {
                    if (Libc.SendMsg(socket, &message, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
                    {
                        return true;
                    }

                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Errnos.EAGAIN)
                    {
                        return false;
                    }

                    if (errno != Errnos.EINTR)
                    {
                        throw new SystemCallException("sendmsg(SCM_RIGHTS)", what, errno);
                    }
                }
            }
        }
        finally
        {
            if (added)
            {
                descriptor.DangerousRelease();
            }
        }
    }

    /// <summary>Sends one message (blocking), without SIGPIPE.</summary>
    public static void Send(SafeHandle socket, ReadOnlySpan<byte> payload, string what) => TrySend(socket, payload, what, wait: true);

    /// <summary>
    /// Sends one message without SIGPIPE. Returns false when <paramref name="wait"/> is false and
    /// the peer's queue is full (EAGAIN); nothing was sent then.
    /// </summary>
    public static bool TrySend(SafeHandle socket, ReadOnlySpan<byte> payload, string what, bool wait)
    {
        fixed (byte* data = payload)
        {
            while (Libc.Send(socket, data, (nuint)payload.Length, MSG_NOSIGNAL | (wait ? 0 : MSG_DONTWAIT)) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errnos.EAGAIN && !wait)
                {
                    return false;
                }

                if (errno != Errnos.EINTR)
                {
                    throw new SystemCallException("send", what, errno);
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Receives one message. Returns its length, 0 at end of stream, or -1 when
    /// <paramref name="wait"/> is false and nothing is queued. A descriptor that came with it is
    /// returned owned in <paramref name="descriptor"/> (with O_CLOEXEC); extra descriptors are closed.
    /// </summary>
    public static int Receive(SafeHandle socket, Span<byte> buffer, out FileDescriptor? descriptor, string what, bool wait = true)
    {
        descriptor = null;
        var controlSize = ControlSpace * 4;
        var control = stackalloc byte[controlSize];
        fixed (byte* data = buffer)
        {
            var iov = new Libc.IoVector { Base = data, Length = (nuint)buffer.Length };
            var message = new Libc.MessageHeader
            {
                Iov = &iov,
                IovLength = 1,
                Control = control,
                ControlLength = (nuint)controlSize,
            };
            nint received;
            while ((received = Libc.RecvMsg(socket, &message, MSG_CMSG_CLOEXEC | (wait ? 0 : MSG_DONTWAIT))) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errnos.EAGAIN && !wait)
                {
                    return -1;
                }

                if (errno != Errnos.EINTR)
                {
                    throw new SystemCallException("recvmsg", what, errno);
                }
            }

            descriptor = TakeDescriptors(control, (long)message.ControlLength);
            if ((message.Flags & MSG_TRUNC) != 0)
            {
                descriptor?.Dispose();
                descriptor = null;
                throw new InvalidDataException($"{what}: a message longer than {buffer.Length} bytes arrived; the peer does not speak this protocol version");
            }

            return (int)received;
        }
    }

    /// <summary>
    /// Bytes this socket has sent that its peer has not read yet (SIOCOUTQ): on a Unix socket,
    /// the memory the kernel charges for every message still in the peer's queue.
    /// </summary>
    public static int QueuedBytes(SafeHandle socket)
    {
        int queued;
        if (Libc.Ioctl(socket, SIOCOUTQ, &queued) != 0)
        {
            throw SystemCallException.FromLastError("ioctl(SIOCOUTQ)");
        }

        return queued;
    }

    /// <summary>
    /// What one <c>SOCK_SEQPACKET</c> message of <paramref name="payloadLength"/> bytes with one
    /// descriptor costs in <see cref="QueuedBytes"/> while unread, measured on a socket pair: the
    /// kernel's accounting (skb truesize) depends on its version and configuration.
    /// </summary>
    public static int MeasureQueuedMessageCost(int payloadLength)
    {
        var pair = stackalloc int[2];
        if (Libc.SocketPair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
        {
            throw SystemCallException.FromLastError("socketpair(AF_UNIX, SOCK_SEQPACKET)");
        }

        using var sender = new FileDescriptor(pair[0]);
        using var receiver = new FileDescriptor(pair[1]);
        using var passenger = DirectoryHandle.Open("/");
        Span<byte> payload = stackalloc byte[payloadLength];
        if (!TrySendWithDescriptor(sender, payload, passenger.Descriptor, "socketpair probe"))
        {
            throw new SystemCallException("sendmsg(SCM_RIGHTS)", "socketpair probe", Errnos.EAGAIN);
        }

        return QueuedBytes(sender);
    }

    /// <summary>Shuts both directions down, waking any thread blocked in <see cref="Receive"/>.</summary>
    public static void Shutdown(SafeHandle socket) => Libc.Shutdown(socket, SHUT_RDWR);

    /// <summary>The peer's pid, uid and gid (SO_PEERCRED).</summary>
    public static PeerCredentials GetPeerCredentials(SafeHandle socket)
    {
        var value = stackalloc int[3];
        var length = (uint)(3 * sizeof(int));
        if (Libc.GetSockOpt(socket, SOL_SOCKET, SO_PEERCRED, (byte*)value, &length) != 0)
        {
            throw SystemCallException.FromLastError("getsockopt(SO_PEERCRED)");
        }

        return new PeerCredentials(value[0], (uint)value[1], (uint)value[2]);
    }

    /// <summary>The peer's supplementary groups (SO_PEERGROUPS), as they were when it connected.</summary>
    public static uint[] GetPeerGroups(SafeHandle socket)
    {
        var capacity = 64u;
        while (true)
        {
            var groups = new uint[capacity];
            var length = capacity * sizeof(uint);
            fixed (uint* buffer = groups)
            {
                if (Libc.GetSockOpt(socket, SOL_SOCKET, SO_PEERGROUPS, (byte*)buffer, &length) == 0)
                {
                    return groups[..(int)(length / sizeof(uint))];
                }
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != 34 /* ERANGE: length now holds what is needed */ || length <= capacity * sizeof(uint))
            {
                throw new SystemCallException("getsockopt(SO_PEERGROUPS)", null, errno);
            }

            capacity = length / sizeof(uint);
        }
    }

    private static int ControlSpace => sizeof(Libc.ControlMessageHeader) + 8;

    private static FileDescriptor? TakeDescriptors(byte* control, long length)
    {
        FileDescriptor? first = null;
        var offset = 0L;
        while (offset + sizeof(Libc.ControlMessageHeader) <= length)
        {
            var header = (Libc.ControlMessageHeader*)(control + offset);
            var headerLength = (long)header->Length;
            if (headerLength < sizeof(Libc.ControlMessageHeader))
            {
                break;
            }

            if (header->Level == SOL_SOCKET && header->Type == SCM_RIGHTS)
            {
                var count = (headerLength - sizeof(Libc.ControlMessageHeader)) / sizeof(int);
                var fds = (int*)(control + offset + sizeof(Libc.ControlMessageHeader));
                for (var i = 0; i < count; i++)
                {
                    var owned = new FileDescriptor(fds[i]);
                    if (first is null)
                    {
                        first = owned;
                    }
                    else
                    {
                        owned.Dispose();
                    }
                }
            }

            offset += (headerLength + 7) & ~7L;
        }

        return first;
    }
}
