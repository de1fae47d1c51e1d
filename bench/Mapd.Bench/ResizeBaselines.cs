using System.Diagnostics;
using Mapd.Native;

namespace Mapd.Bench;

/// <summary>The timings of one resize, in Stopwatch ticks from its start.</summary>
/// <param name="Served">Until every reader can read the new size.</param>
/// <param name="Call">Until the resize call returned (mapd: the Resize RPC; baselines: = Served).</param>
/// <param name="Copy">Of which memcpy (copy baseline only).</param>
/// <param name="Populate">Of which faulting in the new file's pages before the memcpy (copy baseline only).</param>
/// <param name="FirstServed">Until the first client served it (mapd), else = Served.</param>
/// <param name="BytesCopied">Bytes of region data copied.</param>
/// <param name="Moved">Whether mappings moved to a new address.</param>
internal sealed record ResizeTiming(long Served, long Call, long Copy, long Populate, long FirstServed, long BytesCopied, bool Moved);

/// <summary>
/// Baseline 1, copy-based resize (what one does without mapd's trick): create a new file of
/// the new size on the same kind of tmpfs, map it, fault in the pages the copy will write
/// (MADV_POPULATE_WRITE, timed apart so the memcpy alone is known too), memcpy the old bytes
/// over, and switch the readers to it. Runs in the bench process with reader threads; readers read through a
/// published pointer and need no lease, since the old mapping is only unmapped after they all
/// paused (that reclamation is not timed). Favourable to the baseline: there is no other
/// process to notify.
/// </summary>
internal sealed unsafe class CopyBaseline : ReadSource, IDisposable
{
    private const string SourceName = "copy-source";
    private const string TargetName = "copy-target";

    private readonly DirectoryHandle _directory;
    private readonly FileDescriptor _sourceFile;
    private readonly Served _source;
    private FileDescriptor? _targetFile;
    private Served? _target;
    private Served _current;

    private CopyBaseline(DirectoryHandle directory, FileDescriptor sourceFile, MemoryMapping source, long size)
    {
        _directory = directory;
        _sourceFile = sourceFile;
        _source = new Served(source, size);
        _current = _source;
    }

    /// <summary>Creates and fills the 1 GiB source file in <paramref name="directory"/>.</summary>
    public static CopyBaseline Create(DirectoryHandle directory, long size)
    {
        var file = directory.CreateOrTruncateFile(SourceName, 0b110_000_000);
        Files.Truncate(file, size, SourceName);
        var mapping = MemoryMapping.MapShared(file, size, writable: true, reserve: size, SourceName);
        ResizeBenchmark.Fill(mapping.Address, size);
        return new CopyBaseline(directory, file, mapping, size);
    }

    public override bool Read(byte* destination, ref ulong random, long baseSize, long readLimit)
    {
        var served = Volatile.Read(ref _current);
        var offset = RandomPage(ref random, Math.Min(served.Length, readLimit));
        Buffer.MemoryCopy((byte*)served.Mapping.Address + offset, destination, ReadSize, ReadSize);
        return offset >= baseSize;
    }

    /// <summary>Timed: new file, map, populate, memcpy, publish.</summary>
    public ResizeTiming Grow(long target)
    {
        var start = Stopwatch.GetTimestamp();
        _targetFile = _directory.CreateOrTruncateFile(TargetName, 0b110_000_000);
        Files.Truncate(_targetFile, target, TargetName);
        var mapping = MemoryMapping.MapShared(_targetFile, target, writable: true, reserve: target, TargetName);
        var populateStart = Stopwatch.GetTimestamp();
        mapping.Populate(_source.Length, forWrite: true);
        var copyStart = Stopwatch.GetTimestamp();
        Buffer.MemoryCopy((void*)_source.Mapping.Address, (void*)mapping.Address, target, _source.Length);
        var copied = Stopwatch.GetTimestamp();
        _target = new Served(mapping, target);
        Volatile.Write(ref _current, _target);
        var served = Stopwatch.GetTimestamp() - start;
        return new ResizeTiming(served, served, copied - copyStart, copyStart - populateStart, served, _source.Length, Moved: true);
    }

    /// <summary>Untimed: back to the source; the copy goes once no reader is inside it.</summary>
    public void Revert(ReaderPool readers)
    {
        Volatile.Write(ref _current, _source);
        readers.PauseAndWait();
        try
        {
            _target?.Mapping.Dispose();
            _targetFile?.Dispose();
            _directory.Unlink(TargetName);
            (_target, _targetFile) = (null, null);
        }
        finally
        {
            readers.Resume();
        }
    }

    public void Dispose()
    {
        _target?.Mapping.Dispose();
        _targetFile?.Dispose();
        _source.Mapping.Dispose();
        _sourceFile.Dispose();
        _directory.Unlink(TargetName);
        _directory.Unlink(SourceName);
    }

    private sealed record Served(MemoryMapping Mapping, long Length);
}

/// <summary>
/// Baseline 2, stop-the-world remap: every read takes a <see cref="ReaderWriterLockSlim"/>
/// read lock; the resizer takes the write lock, unmaps, extends the file, maps the new size
/// and releases. Runs in the bench process with reader threads. No populate: readers fault the
/// new mapping in as they go, which is part of what this design costs them.
/// </summary>
internal sealed unsafe class StopTheWorldBaseline : ReadSource, IDisposable
{
    private const string FileName = "stop-the-world";

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly DirectoryHandle _directory;
    private readonly FileDescriptor _file;
    private MemoryMapping _mapping;
    private long _length;

    private StopTheWorldBaseline(DirectoryHandle directory, FileDescriptor file, MemoryMapping mapping, long length)
    {
        _directory = directory;
        _file = file;
        _mapping = mapping;
        _length = length;
    }

    public static StopTheWorldBaseline Create(DirectoryHandle directory, long size)
    {
        var file = directory.CreateOrTruncateFile(FileName, 0b110_000_000);
        Files.Truncate(file, size, FileName);
        var mapping = MemoryMapping.MapShared(file, size, writable: true, reserve: size, FileName);
        ResizeBenchmark.Fill(mapping.Address, size);
        return new StopTheWorldBaseline(directory, file, mapping, size);
    }

    public override bool Read(byte* destination, ref ulong random, long baseSize, long readLimit)
    {
        _lock.EnterReadLock();
        try
        {
            var offset = RandomPage(ref random, Math.Min(_length, readLimit));
            Buffer.MemoryCopy((byte*)_mapping.Address + offset, destination, ReadSize, ReadSize);
            return offset >= baseSize;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Timed: write lock, munmap, ftruncate, mmap, release.</summary>
    public ResizeTiming Grow(long target)
    {
        var start = Stopwatch.GetTimestamp();
        Remap(target, populate: false);
        var served = Stopwatch.GetTimestamp() - start;
        return new ResizeTiming(served, served, 0, 0, served, 0, Moved: true);
    }

    /// <summary>Untimed: back to <paramref name="size"/>, and fault the mapping in as a long-running process would have it.</summary>
    public void Shrink(long size) => Remap(size, populate: true);

    public void Dispose()
    {
        _mapping.Dispose();
        _file.Dispose();
        _directory.Unlink(FileName);
        _lock.Dispose();
    }

    private void Remap(long size, bool populate)
    {
        _lock.EnterWriteLock();
        try
        {
            _mapping.Dispose();
            Files.Truncate(_file, size, FileName);
            _mapping = MemoryMapping.MapShared(_file, size, writable: true, reserve: size, FileName);
            _length = size;
            if (populate)
            {
                _mapping.Populate(size, forWrite: false);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }
}
