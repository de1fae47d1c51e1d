using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Mapd.Native.Internal;

namespace Mapd.Native;

/// <summary>
/// Descriptors one thread waits on until they can be read (epoll), each named by a token the
/// caller chooses. One-shot: a descriptor reported ready is not reported again until
/// <see cref="Rearm"/>, so exactly one thread serves it at a time. A peer that hung up is
/// reported as ready too; reading then says so.
/// </summary>
public sealed unsafe class ReadinessSet : IDisposable
{
    private const int EPOLL_CLOEXEC = 0x80000;
    private const int EPOLL_CTL_ADD = 1;
    private const int EPOLL_CTL_DEL = 2;
    private const int EPOLL_CTL_MOD = 3;
    private const uint EPOLLIN = 0x1;
    private const uint EPOLLRDHUP = 0x2000;
    private const uint EPOLLONESHOT = 1u << 30;
    private const uint Interest = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;

    // struct epoll_event is packed on x86-64 (12 bytes) and naturally aligned elsewhere (16).
    private static readonly int Stride = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    private readonly FileDescriptor _epoll;

    private ReadinessSet(FileDescriptor epoll) => _epoll = epoll;

    /// <summary>A new, empty set.</summary>
    public static ReadinessSet Create()
    {
        var fd = Libc.EpollCreate1(EPOLL_CLOEXEC);
        return fd < 0 ? throw SystemCallException.FromLastError("epoll_create1") : new ReadinessSet(new FileDescriptor(fd));
    }

    /// <summary>Adds <paramref name="descriptor"/>, armed, as <paramref name="token"/>.</summary>
    public void Add(SafeHandle descriptor, ulong token) => Control(EPOLL_CTL_ADD, descriptor, token, "epoll_ctl(ADD)");

    /// <summary>Arms <paramref name="descriptor"/> again after it was reported.</summary>
    public void Rearm(SafeHandle descriptor, ulong token) => Control(EPOLL_CTL_MOD, descriptor, token, "epoll_ctl(MOD)");

    /// <summary>Removes <paramref name="descriptor"/>; one already gone or closed is no error.</summary>
    public void Remove(SafeHandle descriptor)
    {
        var @event = stackalloc byte[16];
        if (descriptor.IsClosed || Libc.EpollCtl(_epoll, EPOLL_CTL_DEL, descriptor, @event) == 0)
        {
            return;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno is not (Errnos.ENOENT or Errnos.EBADF))
        {
            throw new SystemCallException("epoll_ctl(DEL)", "readiness set", errno);
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for ready descriptors and writes their tokens into
    /// <paramref name="tokens"/>; returns how many (none when the time ran out or a signal came).
    /// </summary>
    public int Wait(Span<ulong> tokens, TimeSpan timeout)
    {
        var events = stackalloc byte[Stride * tokens.Length];
        var ready = Libc.EpollWait(_epoll, events, tokens.Length, (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue));
        if (ready < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == Errnos.EINTR ? 0 : throw new SystemCallException("epoll_wait", "readiness set", errno);
        }

        for (var i = 0; i < ready; i++)
        {
            tokens[i] = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(events + (i * Stride) + DataOffset, 8));
        }

        return ready;
    }

    /// <inheritdoc />
    public void Dispose() => _epoll.Dispose();

    private void Control(int operation, SafeHandle descriptor, ulong token, string call)
    {
        var @event = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(@event, 4), Interest);
        BinaryPrimitives.WriteUInt64LittleEndian(new Span<byte>(@event + DataOffset, 8), token);
        if (Libc.EpollCtl(_epoll, operation, descriptor, @event) != 0)
        {
            throw SystemCallException.FromLastError(call);
        }
    }
}
