using Mapd.Client.Internal;

namespace Mapd.Client;

/// <summary>
/// Permission to touch a region's mapping until disposed: the mapping stays mapped at least that
/// long. Cheap (no shared cache line written), and safe to hold across <c>await</c>. Dispose it
/// exactly once; do not copy it and dispose both copies.
/// </summary>
public readonly struct RegionLease : IDisposable
{
    private readonly MappingView? _view;
    private readonly int _slot;

    internal RegionLease(MappingView view, int slot)
    {
        _view = view;
        _slot = slot;
    }

    /// <summary>The first byte of the region in this process.</summary>
    public nint Address => View.Address;

    /// <summary>The first byte of the region in this process.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "A raw pointer is what this property is.")]
    public unsafe byte* Pointer => (byte*)View.Address;

    /// <summary>Bytes that may be touched from <see cref="Address"/>.</summary>
    public long Length => View.Length;

    /// <summary>The region generation this mapping reflects.</summary>
    public ulong Generation => View.Generation;

    private MappingView View => _view ?? throw new InvalidOperationException("this lease was never acquired; use MappedRegion.AcquireLease()");

    /// <summary>A window of <paramref name="length"/> bytes at <paramref name="offset"/> (a Span holds at most int.MaxValue bytes).</summary>
    public unsafe Span<byte> GetSpan(long offset, int length)
    {
        CheckRange(offset, length);
        return new Span<byte>((byte*)View.Address + offset, length);
    }

    /// <summary>A read-only window of <paramref name="length"/> bytes at <paramref name="offset"/>.</summary>
    public unsafe ReadOnlySpan<byte> GetReadOnlySpan(long offset, int length)
    {
        CheckRange(offset, length);
        return new ReadOnlySpan<byte>((byte*)View.Address + offset, length);
    }

    /// <summary>Ends the lease.</summary>
    public void Dispose() => _view?.Exit(_slot);

    private void CheckRange(long offset, int length)
    {
        if (offset < 0 || length < 0 || offset > View.Length - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"window [{offset}, {offset}+{length}) is outside the {View.Length} mapped bytes");
        }
    }
}
