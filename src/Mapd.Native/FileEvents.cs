using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Mapd.Native.Internal;
using static Mapd.Native.Internal.Constants;

namespace Mapd.Native;

/// <summary>
/// Change notifications for files and directories (inotify). Watch a directory to hear about
/// the files in it, or <c>/proc/self/fd/N</c> to follow one open file wherever it is, linked
/// or not. <see cref="Read"/> waits for events, at most a given time, so a reader thread can
/// notice that it should stop.
/// </summary>
public sealed class FileEvents : IDisposable
{
    /// <summary>A file's data or length changed: write, truncate, fallocate.</summary>
    public const uint Modified = 0x2;

    /// <summary>The file's metadata changed (link count, mode...).</summary>
    public const uint AttributesChanged = 0x4;

    /// <summary>The watched file itself is gone: its last link and its last holder.</summary>
    public const uint DeletedSelf = 0x400;

    /// <summary>The watch was removed (explicitly, or because its file is gone).</summary>
    public const uint Ignored = 0x8000;

    /// <summary>The kernel's event queue overflowed: some events were lost.</summary>
    public const uint Overflowed = 0x4000;

    private readonly FileDescriptor _fd;

    private FileEvents(FileDescriptor fd) => _fd = fd;

    /// <summary>A new inotify instance.</summary>
    public static FileEvents Create()
    {
        var fd = Libc.InotifyInit1(IN_CLOEXEC | IN_NONBLOCK);
        return fd < 0 ? throw SystemCallException.FromLastError("inotify_init1") : new FileEvents(new FileDescriptor(fd));
    }

    /// <summary>Watches <paramref name="path"/> for <paramref name="events"/>; returns the watch's number, which events carry.</summary>
    public int Watch(string path, uint events)
    {
        var watch = Libc.InotifyAddWatch(_fd, path, events);
        return watch < 0 ? throw SystemCallException.FromLastError("inotify_add_watch", path) : watch;
    }

    /// <summary>Stops watch <paramref name="watch"/>; false when it was gone already.</summary>
    public bool Unwatch(int watch) => Libc.InotifyRmWatch(_fd, watch) == 0;

    /// <summary>Waits up to <paramref name="timeout"/> for events and returns those read (none when the time ran out).</summary>
    public unsafe IReadOnlyList<FileEvent> Read(Span<byte> buffer, TimeSpan timeout)
    {
        var added = false;
        _fd.DangerousAddRef(ref added);
        try
        {
            var poll = new Libc.PollDescriptor { Fd = _fd.Value, Events = POLLIN };
            var ready = Libc.Poll(&poll, 1, (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue));
            if (ready < 0 && Marshal.GetLastPInvokeError() != Errnos.EINTR)
            {
                throw SystemCallException.FromLastError("poll(inotify)");
            }
        }
        finally
        {
            _fd.DangerousRelease();
        }

        nint read;
        fixed (byte* start = buffer)
        {
            read = Libc.Read(_fd, start, (nuint)buffer.Length);
        }

        if (read < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is Errnos.EAGAIN or Errnos.EINTR ? [] : throw new SystemCallException("read(inotify)", null, errno);
        }

        var events = new List<FileEvent>();
        var data = buffer[..(int)read];
        while (data.Length >= 16)
        {
            var watch = BinaryPrimitives.ReadInt32LittleEndian(data);
            var mask = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            var nameLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(data[12..]);
            var name = data.Slice(16, nameLength);
            var end = name.IndexOf((byte)0);
            events.Add(new FileEvent(watch, mask, nameLength == 0 ? null : Encoding.UTF8.GetString(end < 0 ? name : name[..end])));
            data = data[(16 + nameLength)..];
        }

        return events;
    }

    /// <inheritdoc />
    public void Dispose() => _fd.Dispose();
}

/// <summary>One inotify event.</summary>
/// <param name="Watch">The watch it came from.</param>
/// <param name="Mask">What happened (<see cref="FileEvents.Modified"/>...).</param>
/// <param name="Name">The file's name inside a watched directory; null for the watched file itself.</param>
public readonly record struct FileEvent(int Watch, uint Mask, string? Name);
