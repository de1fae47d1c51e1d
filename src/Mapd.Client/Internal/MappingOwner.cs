using Mapd.Native;

namespace Mapd.Client.Internal;

/// <summary>
/// Owns one <see cref="MemoryMapping"/> shared by the views published over it (a mapping that
/// grows in place serves several generations). It is unmapped when the last view that uses it
/// has been retired and drained.
/// </summary>
internal sealed class MappingOwner(MemoryMapping mapping)
{
    private int _views;

    public MemoryMapping Mapping { get; } = mapping;

    public void AddView() => Interlocked.Increment(ref _views);

    public void ReleaseView()
    {
        if (Interlocked.Decrement(ref _views) == 0)
        {
            Mapping.Dispose();
        }
    }
}
