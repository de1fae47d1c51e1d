using Mapd.Native;

namespace Mapd.Client.Tests;

/// <summary>A file on tmpfs (/dev/shm) to map in tests; its directory is removed on dispose.</summary>
public sealed class ScratchFile : IDisposable
{
    private readonly string _directory = Path.Join("/dev/shm", $"mapd-client-test-{Guid.NewGuid():N}");
    private readonly DirectoryHandle _handle;

    public ScratchFile(long length)
    {
        Directory.CreateDirectory(_directory);
        _handle = DirectoryHandle.Open(_directory);
        Descriptor = _handle.CreateFile("region", 0b110_000_000);
        Files.Truncate(Descriptor, length, "region");
        Length = length;
    }

    public FileDescriptor Descriptor { get; }

    /// <summary>The file's path.</summary>
    public string FilePath => Path.Join(_directory, "region");

    public long Length { get; }

    public MemoryMapping Map() => MemoryMapping.MapShared(Descriptor, Length, writable: true);

    /// <summary>A descriptor of its own for the same file, as the daemon would hand over.</summary>
    public FileDescriptor OpenAgain(bool writable) => _handle.OpenFile("region", writable);

    public void Dispose()
    {
        Descriptor.Dispose();
        _handle.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
