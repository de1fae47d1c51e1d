namespace Mapd.SystemTests.Infrastructure;

/// <summary>A fresh host directory under /run for a container to share, owned by a given uid; removed on dispose.</summary>
public sealed class HostDirectory : IDisposable
{
    /// <summary>Creates <c>/run/&lt;prefix&gt;&lt;random&gt;</c> owned by <paramref name="owner"/> (uid and gid) with <paramref name="mode"/>.</summary>
    public HostDirectory(string prefix, string owner, int mode)
    {
        Path = System.IO.Path.Join("/run", prefix + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path);
        File.SetUnixFileMode(Path, (UnixFileMode)mode);
        Commands.RunAsync("chown", [$"{owner}:{owner}", Path], TimeSpan.FromSeconds(30)).GetAwaiter().GetResult().EnsureSuccess();
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
