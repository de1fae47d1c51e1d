using System.IO.MemoryMappedFiles;

namespace Mapd.Bench;

/// <summary>The scenarios of the resize benchmark, in the order they run within a block.</summary>
internal enum ResizeScenario
{
    /// <summary>mapd, clients with the default reservation: the grow lands inside reserved address space.</summary>
    MapdInPlace = 0,

    /// <summary>mapd, clients that reserved nothing beyond the size: the grow maps the file again elsewhere and pre-faults it.</summary>
    MapdRemap = 1,

    /// <summary>Baseline: a new 2 GiB file, memcpy of 1 GiB, readers switched to it.</summary>
    Copy = 2,

    /// <summary>Baseline: readers take a read lock per read; the resizer takes the write lock, munmaps and mmaps.</summary>
    StopTheWorld = 3,
}

/// <summary>What readers record a read as.</summary>
internal enum ReadPhase
{
    /// <summary>Nothing is being resized.</summary>
    Idle = 0,

    /// <summary>From the resize call until every reader serves the new size, plus a short tail.</summary>
    Resizing = 1,

    /// <summary>Shrinks and reopening between rounds: read, but not recorded.</summary>
    Other = 2,
}

/// <summary>
/// A few words of shared memory (a <c>/dev/shm</c> file) through which the bench tells every
/// reader, in its own or a client process, which scenario runs and in which phase a read
/// happens. Readers read it before each read; the bench writes it a few times per round. A
/// store to shared memory is seen by other processes at once, so no message is in the way.
/// </summary>
internal sealed unsafe class ResizeControl : IDisposable
{
    private const int ScenarioOffset = 0;
    private const int PhaseOffset = 8;

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;

    private ResizeControl(string path, MemoryMappedFile file, MemoryMappedViewAccessor view)
    {
        Path = path;
        _file = file;
        _view = view;
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer;
    }

    public string Path { get; }

    public ResizeScenario Scenario
    {
        get => (ResizeScenario)Volatile.Read(ref *(long*)(_base + ScenarioOffset));
        set => Volatile.Write(ref *(long*)(_base + ScenarioOffset), (long)value);
    }

    public ReadPhase Phase
    {
        get => (ReadPhase)Volatile.Read(ref *(long*)(_base + PhaseOffset));
        set => Interlocked.Exchange(ref *(long*)(_base + PhaseOffset), (long)value);
    }

    /// <summary>Creates the file (the bench) or opens it (a client).</summary>
    public static ResizeControl Open(string path, bool create)
    {
        var file = MemoryMappedFile.CreateFromFile(path, create ? FileMode.Create : FileMode.Open, null, 4096, MemoryMappedFileAccess.ReadWrite);
        try
        {
            return new ResizeControl(path, file, file.CreateViewAccessor(0, 4096));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
