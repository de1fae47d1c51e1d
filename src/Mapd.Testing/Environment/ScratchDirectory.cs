namespace Mapd.Testing;

/// <summary>A fresh directory on tmpfs (/dev/shm) for one test, removed with everything in it on dispose.</summary>
public sealed class ScratchDirectory : IDisposable
{
    /// <summary>Creates <c>/dev/shm/&lt;prefix&gt;&lt;guid&gt;</c>.</summary>
    /// <param name="prefix">Names the directory after its user, so a leftover says who left it.</param>
    public ScratchDirectory(string prefix = "mapd-test-")
    {
        Path = System.IO.Path.Join("/dev/shm", $"{prefix}{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>The path of <paramref name="name"/> inside it.</summary>
    public string Join(string name) => System.IO.Path.Join(Path, name);

    /// <summary>Opens the directory.</summary>
    public Native.DirectoryHandle Open() => Native.DirectoryHandle.Open(Path);

    /// <inheritdoc />
    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
