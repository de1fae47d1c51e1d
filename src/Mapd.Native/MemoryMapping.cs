using System.Runtime.InteropServices;
using Mapd.Native.Internal;
using static Mapd.Native.Internal.Constants;

namespace Mapd.Native;

/// <summary>
/// A shared file mapping inside an address range it reserved for itself. The mapping starts on
/// a 2 MiB boundary (so tmpfs huge pages can back it) and may grow in place up to the
/// reservation without moving. Disposing unmaps the whole reservation: this object is the one
/// owner of that range.
/// </summary>
public sealed class MemoryMapping : SafeHandle
{
    /// <summary>Mappings start on this boundary.</summary>
    public const long Alignment = 2 << 20;

    private const long PageSize = 4096;
    private readonly nint _reservationStart;
    private readonly long _reservationLength;
    private long _length;

    private MemoryMapping(nint reservationStart, long reservationLength, nint address, long reserved, bool writable)
        : base(0, ownsHandle: true)
    {
        SetHandle(address);
        _reservationStart = reservationStart;
        _reservationLength = reservationLength;
        ReservedLength = reserved;
        Writable = writable;
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    /// <summary>The first byte of the mapping.</summary>
    public nint Address => handle;

    /// <summary>Bytes of the file currently mapped from <see cref="Address"/>.</summary>
    public long Length => Volatile.Read(ref _length);

    /// <summary>Bytes of address space owned from <see cref="Address"/>; the mapping can grow to this without moving.</summary>
    public long ReservedLength { get; }

    /// <summary>True when mapped with PROT_WRITE.</summary>
    public bool Writable { get; }

    /// <summary>
    /// Maps <paramref name="length"/> bytes of <paramref name="fd"/> with
    /// <c>MAP_SHARED|MAP_NORESERVE</c> at a 2 MiB-aligned address inside a reservation of at
    /// least <paramref name="reserve"/> bytes.
    /// </summary>
    public static MemoryMapping MapShared(FileDescriptor fd, long length, bool writable, long reserve = 0, string? what = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        var reserved = RoundUp(Math.Max(length, reserve), Alignment);
        var slack = reserved + Alignment;

        // Reserve with PROT_NONE first, then trim to the aligned part: mmap itself only promises page alignment.
        var raw = Libc.Mmap(0, (nuint)slack, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (raw == -1)
        {
            throw MapFailure("mmap(PROT_NONE reservation)", what ?? $"{slack} bytes");
        }

        // The alignment slack around the aligned range stays reserved (PROT_NONE, no memory):
        // trimming it would cost two munmap calls on every open.
        var mapping = new MemoryMapping(raw, slack, (nint)RoundUp(raw, Alignment), reserved, writable);
        try
        {
            mapping.MapFileRange(fd, 0, length, what);
            mapping._length = length;
            return mapping;
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Extends the mapping to <paramref name="newLength"/> without moving it, if the reservation
    /// has room. Returns false (and changes nothing) when it does not.
    /// </summary>
    public bool TryGrowInPlace(FileDescriptor fd, long newLength, string? what = null)
    {
        var old = Length;
        if (newLength <= old)
        {
            return true;
        }

        if (newLength > ReservedLength)
        {
            return false;
        }

        var from = RoundDown(old, PageSize);
        MapFileRange(fd, from, newLength - from, what);
        Volatile.Write(ref _length, newLength);
        return true;
    }

    /// <summary>
    /// Stops mapping the file past <paramref name="newLength"/>: the tail becomes inaccessible
    /// reserved space again, so the file can be truncated without a SIGBUS here.
    /// </summary>
    public void ShrinkTo(long newLength)
    {
        var old = Length;
        if (newLength >= old)
        {
            return;
        }

        var from = RoundUp(newLength, PageSize);
        var end = RoundUp(old, PageSize);
        Volatile.Write(ref _length, newLength);
        if (end > from)
        {
            var result = Libc.Mmap(handle + (nint)from, (nuint)(end - from), PROT_NONE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
            if (result == -1)
            {
                throw MapFailure("mmap(MAP_FIXED PROT_NONE)", $"tail of {end - from} bytes");
            }
        }
    }

    /// <summary>
    /// Faults the first <paramref name="length"/> bytes in ahead of use (MADV_POPULATE_READ or
    /// _WRITE). Returns false where the kernel lacks these advices (before 5.14).
    /// </summary>
    public bool Populate(long length, bool forWrite)
    {
        var advice = forWrite ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;
        if (Libc.Madvise(handle, (nuint)Math.Min(length, Length), advice) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Errnos.EINVAL ? false : throw new SystemCallException("madvise(POPULATE)", $"{length} bytes", errno);
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle() => Libc.Munmap(_reservationStart, (nuint)_reservationLength) == 0;

    private void MapFileRange(FileDescriptor fd, long offset, long length, string? what)
    {
        var prot = Writable ? PROT_READ | PROT_WRITE : PROT_READ;
        var result = Libc.Mmap(handle + (nint)offset, (nuint)length, prot, MAP_SHARED | MAP_NORESERVE | MAP_FIXED, fd, offset);
        if (result == -1)
        {
            throw MapFailure("mmap(MAP_SHARED)", what ?? $"fd {fd.Value}");
        }
    }

    private static SystemCallException MapFailure(string call, string what)
    {
        var error = SystemCallException.FromLastError(call, what);
        return error.Errno == Errnos.ENOMEM
            ? new SystemCallException(call, $"{what}; out of address space or of VMAs (vm.max_map_count = {MaxMapCount()})", Errnos.ENOMEM)
            : error;
    }

    private static string MaxMapCount()
    {
        try
        {
            return File.ReadAllText("/proc/sys/vm/max_map_count").Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static long RoundUp(long value, long unit) => (value + unit - 1) / unit * unit;

    private static long RoundDown(long value, long unit) => value / unit * unit;
}
