using Mapd.Native;

namespace Mapd.Server.Storage;

/// <summary>
/// A region's cached descriptor, lent out for one handoff. The loan holds a reference on the
/// handle, so a delete that closes the cache meanwhile defers the close until the loan ends.
/// </summary>
public sealed class DescriptorLoan : IDisposable
{
    private int _returned;

    internal DescriptorLoan(FileDescriptor descriptor)
    {
        var added = false;
        descriptor.DangerousAddRef(ref added);
        Descriptor = descriptor;
    }

    /// <summary>The lent descriptor; valid until <see cref="Dispose"/>.</summary>
    public FileDescriptor Descriptor { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _returned, 1) == 0)
        {
            Descriptor.DangerousRelease();
        }
    }
}
