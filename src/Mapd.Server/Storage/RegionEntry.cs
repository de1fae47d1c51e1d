using Mapd.Native;
using Mapd.Server.Grace;

namespace Mapd.Server.Storage;

/// <summary>A region as the store tracks it: its record, its file, and who maps it. Guarded by the store's lock.</summary>
internal sealed class RegionEntry(RegionRecord record, string fileName)
{
    public RegionRecord Record { get; set; } = record;

    /// <summary>The file's name in <c>regions/</c>, or in <c>trash/</c> once deleted.</summary>
    public string FileName { get; set; } = fileName;

    /// <summary>True once the name is gone; the file lives on in <c>trash/</c> until the last mapper leaves.</summary>
    public bool Deleted { get; set; }

    /// <summary>Who maps it, since when, and at which generation.</summary>
    public Dictionary<IRegionMapper, MapperState> Mappers { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Resizes of one region apply one at a time, in arrival order; a pending shrink holds it until it commits.</summary>
    public SemaphoreSlim ResizeGate { get; } = new(1, 1);

    /// <summary>The shrink waiting for its mappers, if any.</summary>
    public ShrinkGrace? Shrink { get; set; }

    /// <summary>Kept open so an open costs no path lookup; closed when the region is deleted.</summary>
    public FileDescriptor? ReadOnlyDescriptor { get; set; }

    /// <summary>Kept open for read-write opens and for resizing.</summary>
    public FileDescriptor? ReadWriteDescriptor { get; set; }

    public void CloseDescriptors()
    {
        ReadOnlyDescriptor?.Dispose();
        ReadWriteDescriptor?.Dispose();
        ReadOnlyDescriptor = null;
        ReadWriteDescriptor = null;
    }

    /// <summary>Bytes this region takes from capacity: the larger of its sizes, in whole pages.</summary>
    public long AccountedBytes => Accounted(Math.Max(Record.Size, Record.PendingSize));

    public static long Accounted(ulong size) => (long)((size + 4095) / 4096 * 4096);
}
