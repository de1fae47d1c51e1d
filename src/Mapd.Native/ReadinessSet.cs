using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Mapd.Native.Internal;

namespace Mapd.Native;

/// <summary>
/// Descriptors one thread waits on until they can be read (epoll), each named by a token the
/// caller chooses. One-shot: a descriptor reported ready is not reported again until
/// <see cref="Rearm"/>, so exactly one thread serves it at a time. A peer that hung up is
/// reported as ready too; reading then says so. <see cref="Wake"/> ends a wait at once, so the
/// waiting thread can see that it should stop.
/// </summary>
public sealed unsafe class ReadinessSet : IDisposable
{
    private const int EPOLL_CLOEXEC = 0x80000;
    private const int EFD_CLOEXEC = 0x80000;
    private const int EFD_NONBLOCK = 0x800;
    private const int EPOLL_CTL_ADD = 1;
    private const int EPOLL_CTL_DEL = 2;
    private const int EPOLL_CTL_MOD = 3;
    private const uint EPOLLIN = 0x1;
    private const uint EPOLLRDHUP = 0x2000;
    private const uint EPOLLONESHOT = 1u << 30;
    private const uint Interest = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;

    // The token of the wake-up descriptor, which no caller's descriptor gets.
    private const ulong WakeToken = ulong.MaxValue;

    // struct epoll_event is packed on x86-64 (12 bytes) and naturally aligned elsewhere (16).
    private static readonly int Stride = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    private readonly FileDescriptor _epoll;
    private readonly FileDescriptor _wake;

    private ReadinessSet(FileDescriptor epoll, FileDescriptor wake)
    {
        _epoll = epoll;
        _wake = wake;
    }

    /// <summary>A new, empty set.</summary>
    public static ReadinessSet Create()
    {
        var epoll = Libc.EpollCreate1(EPOLL_CLOEXEC);
        if (epoll < 0)
        {
            throw SystemCallException.FromLastError("epoll_create1");
        }

        var set = new FileDescriptor(epoll);
        var wake = Libc.EventFd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (wake < 0)
        {
            var e = SystemCallException.FromLastError("eventfd");
            set.Dispose();
            throw e;
        }

        var readiness = new ReadinessSet(set, new FileDescriptor(wake));
        try
        {
            // Level-triggered and never one-shot: a wake-up stays until the waiter reads it.
            readiness.Control(EPOLL_CTL_ADD, readiness._wake, WakeToken, EPOLLIN, "epoll_ctl(ADD eventfd)");
            return readiness;
        }
        catch
        {
            readiness.Dispose();
            throw;
        }
    }

    /// <summary>Adds <paramref name="descriptor"/>, armed, as <paramref name="token"/> (any value but <see cref="ulong.MaxValue"/>).</summary>
    public void Add(SafeHandle descriptor, ulong token) => Control(EPOLL_CTL_ADD, descriptor, Checked(token), Interest, "epoll_ctl(ADD)");

    /// <summary>Arms <paramref name="descriptor"/> again after it was reported.</summary>
    public void Rearm(SafeHandle descriptor, ulong token) => Control(EPOLL_CTL_MOD, descriptor, Checked(token), Interest, "epoll_ctl(MOD)");

    /// <summary>Ends the current or next <see cref="Wait"/> at once, with nothing ready.</summary>
    public void Wake()
    {
        var one = 1UL;
        if (Libc.Write(_wake, (byte*)&one, sizeof(ulong)) < 0 && Marshal.GetLastPInvokeError() != Errnos.EAGAIN)
        {
            throw SystemCallException.FromLastError("write(eventfd)");
        }
    }

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
    /// Waits up to <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/>: until one is ready or <see cref="Wake"/>) for ready descriptors and writes their tokens into
    /// <paramref name="tokens"/>; returns how many (none when the time ran out, a signal came or
    /// <see cref="Wake"/> was called).
    /// </summary>
    public int Wait(Span<ulong> tokens, TimeSpan timeout)
    {
        var events = stackalloc byte[Stride * tokens.Length];
        var milliseconds = timeout == Timeout.InfiniteTimeSpan ? -1 : (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue);
        var ready = Libc.EpollWait(_epoll, events, tokens.Length, milliseconds);
        if (ready < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == Errnos.EINTR ? 0 : throw new SystemCallException("epoll_wait", "readiness set", errno);
        }

        var count = 0;
        for (var i = 0; i < ready; i++)
        {
            var token = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(events + (i * Stride) + DataOffset, 8));
            if (token == WakeToken)
            {
                var value = 0UL;
                _ = Libc.Read(_wake, (byte*)&value, sizeof(ulong));
                continue;
            }

            tokens[count++] = token;
        }

        return count;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _epoll.Dispose();
        _wake.Dispose();
    }

    private static ulong Checked(ulong token) =>
        token == WakeToken ? throw new ArgumentOutOfRangeException(nameof(token), "ulong.MaxValue names the set's own wake-up") : token;

    private void Control(int operation, SafeHandle descriptor, ulong token, uint interest, string call)
    {
        var @event = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(@event, 4), interest);
        BinaryPrimitives.WriteUInt64LittleEndian(new Span<byte>(@event + DataOffset, 8), token);
        if (Libc.EpollCtl(_epoll, operation, descriptor, @event) != 0)
        {
            throw SystemCallException.FromLastError(call);
        }
    }
}
