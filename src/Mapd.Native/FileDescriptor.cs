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

    /// <inheritdoc />
    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
