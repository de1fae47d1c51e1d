namespace Mapd.Native.Tests;

public sealed class TmpfsTests : IDisposable
{
    private readonly string _path = Path.Join("/tmp", $"mapd-native-mount-{Guid.NewGuid():N}");

    public TmpfsTests() => Directory.CreateDirectory(_path);

    public void Dispose()
    {
        // A mount left behind by a failed assertion must not survive the test.
        if (File.ReadLines("/proc/self/mounts").Any(l => l.Split(' ')[1] == _path))
        {
            Tmpfs.Unmount(_path);
        }

        Directory.Delete(_path, recursive: true);
    }

    [RequiresRootFact("mounting a tmpfs needs CAP_SYS_ADMIN")]
    public void Mount_puts_a_tmpfs_of_the_requested_size_and_mode_there_and_Unmount_removes_it()
    {
        Tmpfs.Mount(_path, 8 << 20, 0b111_000_000, "never");
        FileSystemStatus status;
        FileStatus root;
        using (var directory = DirectoryHandle.Open(_path))
        {
            status = directory.FileSystem();
            root = directory.TryStat(".")!.Value;
        }

        var line = MountLine();
        Tmpfs.Unmount(_path);
        var afterUnmount = MountLine();

        Assert.True(status.IsTmpfs);
        Assert.Equal(8 << 20, status.TotalBytes);
        Assert.Equal(0b111_000_000u, root.Permissions);
        Assert.True(root.IsMountRoot);
        Assert.NotNull(line);
        Assert.Contains("nosuid", line, StringComparison.Ordinal);
        Assert.Contains("nodev", line, StringComparison.Ordinal);
        Assert.Contains("noexec", line, StringComparison.Ordinal);
        Assert.Null(afterUnmount);
    }

    [RequiresRootFact("mounting a tmpfs needs CAP_SYS_ADMIN")]
    public void Mount_with_an_unknown_huge_option_fails_naming_the_options()
    {
        var error = Assert.Throws<SystemCallException>(() => Tmpfs.Mount(_path, 0, 0b111_000_000, "sometimes"));

        Assert.Equal(Errnos.EINVAL, error.Errno);
        Assert.Contains("huge=sometimes", error.Call, StringComparison.Ordinal);
        Assert.Equal(_path, error.Target);
    }

    [Fact]
    public void Unmount_of_a_directory_that_is_not_a_mount_point_fails()
    {
        var error = Assert.Throws<SystemCallException>(() => Tmpfs.Unmount(_path));

        Assert.Equal("umount2", error.Call);
        Assert.Contains(error.Errno, new[] { Errnos.EINVAL, Errnos.EPERM });
    }

    private string? MountLine() => File.ReadLines("/proc/self/mounts").FirstOrDefault(l => l.Split(' ')[1] == _path);
}
