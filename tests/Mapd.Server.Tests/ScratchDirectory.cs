namespace Mapd.Server.Tests;

/// <summary>A fresh directory on tmpfs (/dev/shm) for one test, removed with everything in it on dispose.</summary>
public sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory()
    {
        Path = System.IO.Path.Join("/dev/shm", $"mapd-server-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Join(string name) => System.IO.Path.Join(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
