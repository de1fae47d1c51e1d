using System.Runtime.InteropServices;
using Mapd.Native.Internal;

namespace Mapd.Native;

/// <summary>Owns one Linux file descriptor and closes it exactly once.</summary>
public sealed class FileDescriptor : SafeHandle
{
    /// <summary>Creates an invalid handle (for marshalling).</summary>
    public FileDescriptor()
        : base(-1, ownsHandle: true)
    {
    }

    /// <summary>Takes ownership of <paramref name="fd"/>.</summary>
    public FileDescriptor(int fd)
        : base(-1, ownsHandle: true) => SetHandle(fd);

    /// <inheritdoc />
    public override bool IsInvalid => handle < 0;

    /// <summary>
    /// The raw descriptor. Valid only while this handle is alive: keep a reference (or use
    /// <see cref="SafeHandle.DangerousAddRef"/>) for as long as the number is in use.
    /// </summary>
    public int Value => (int)handle;

    /// <summary>A second descriptor of the same open file (dup, close-on-exec), owned by the caller.</summary>
    public FileDescriptor Duplicate()
    {
        var added = false;
        DangerousAddRef(ref added);
        try
        {
            var copy = Libc.Fcntl((int)handle, Internal.Constants.F_DUPFD_CLOEXEC, 0);
            return copy < 0 ? throw SystemCallException.FromLastError("fcntl(F_DUPFD_CLOEXEC)", $"fd {handle}") : new FileDescriptor(copy);
        }
        finally
        {
            DangerousRelease();
        }
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
