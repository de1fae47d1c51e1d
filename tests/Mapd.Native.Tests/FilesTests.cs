namespace Mapd.Native.Tests;

public sealed class FilesTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();
    private readonly DirectoryHandle _directory;

    public FilesTests() => _directory = _scratch.Open();

    public void Dispose()
    {
        _directory.Dispose();
        _scratch.Dispose();
    }

    [Fact]
    public void Truncate_sets_the_size_up_and_down()
    {
        using var fd = _directory.CreateFile("f", 0b110_000_000);

        Files.Truncate(fd, 3 << 20, "f");
        var grown = Files.Stat(fd, "f").Size;
        Files.Truncate(fd, 4097, "f");
        var shrunk = Files.Stat(fd, "f").Size;

        Assert.Equal(3 << 20, grown);
        Assert.Equal(4097, shrunk);
    }

    [Fact]
    public void Truncate_of_a_read_only_descriptor_fails_naming_ftruncate_and_the_file()
    {
        using (_directory.CreateFile("f", 0b110_000_000))
        {
        }

        using var readOnly = _directory.OpenFile("f", writable: false);

        var error = Assert.Throws<SystemCallException>(() => Files.Truncate(readOnly, 4096, "the file"));

        Assert.Equal("ftruncate", error.Call);
        Assert.Equal("the file", error.Target);
        Assert.Contains(error.Errno, new[] { Errnos.EINVAL, Errnos.EBADF });
    }

    [Fact]
    public void Truncate_to_a_negative_size_is_EINVAL()
    {
        using var fd = _directory.CreateFile("f", 0b110_000_000);

        var error = Assert.Throws<SystemCallException>(() => Files.Truncate(fd, -1, "f"));

        Assert.Equal(Errnos.EINVAL, error.Errno);
    }

    [Fact]
    public void PunchHole_lowers_AllocatedBytes_and_keeps_the_size()
    {
        const int Length = 1 << 20;
        using var fd = _directory.CreateFile("f", 0b110_000_000);
        var data = new byte[Length];
        Array.Fill(data, (byte)0x5A);
        Files.WriteAll(fd, data, "f");
        var before = Files.Stat(fd, "f");

        Files.PunchHole(fd, 0, Length, "f");
        var after = Files.Stat(fd, "f");

        Assert.True(before.AllocatedBytes >= Length, $"a written MiB should be allocated, statx says {before.AllocatedBytes}");
        Assert.True(after.AllocatedBytes < before.AllocatedBytes, $"allocated {before.AllocatedBytes} -> {after.AllocatedBytes}");
        Assert.Equal(Length, after.Size);
    }

    [Fact]
    public void PunchHole_reads_back_as_zeros_only_where_punched()
    {
        using var fd = _directory.CreateFile("f", 0b110_000_000);
        var data = new byte[3 * 4096];
        Array.Fill(data, (byte)0xFF);
        Files.WriteAll(fd, data, "f");

        Files.PunchHole(fd, 4096, 4096, "f");
        var back = Files.ReadAll(fd, "f");

        Assert.All(back[..4096], b => Assert.Equal(0xFF, b));
        Assert.All(back[4096..8192], b => Assert.Equal(0, b));
        Assert.All(back[8192..], b => Assert.Equal(0xFF, b));
    }

    [Fact]
    public void PunchHole_on_a_read_only_descriptor_fails_with_EBADF()
    {
        using (_directory.CreateFile("f", 0b110_000_000))
        {
        }

        using var readOnly = _directory.OpenFile("f", writable: false);

        var error = Assert.Throws<SystemCallException>(() => Files.PunchHole(readOnly, 0, 4096, "f"));

        Assert.Equal(Errnos.EBADF, error.Errno);
        Assert.StartsWith("fallocate", error.Call, StringComparison.Ordinal);
    }

    [Fact]
    public void Stat_matches_what_the_directory_sees_for_the_same_file()
    {
        using var fd = _directory.CreateFile("f", 0b110_100_000);
        Files.Truncate(fd, 12345, "f");

        var open = Files.Stat(fd, "f");
        var byName = _directory.TryStat("f")!.Value;

        Assert.Equal(byName, open);
        Assert.Equal(12345, open.Size);
        Assert.Equal(0b110_100_000u, open.Permissions);
        Assert.Equal(ProcessIdentity.Uid, open.Uid);
        Assert.Equal(ProcessIdentity.Gid, open.Gid);
        Assert.True(open.IsRegularFile);
    }

    [Fact]
    public void Stat_of_a_sparse_file_allocates_nothing()
    {
        using var fd = _directory.CreateFile("f", 0b110_000_000);

        Files.Truncate(fd, 64 << 20, "f");

        Assert.Equal(0, Files.Stat(fd, "f").AllocatedBytes);
    }

    [Fact]
    public void Chmod_changes_the_permission_bits()
    {
        using var fd = _directory.CreateFile("f", 0b110_000_000);

        Files.Chmod(fd, 0b110_110_100, "f");

        Assert.Equal(0b110_110_100u, Files.Stat(fd, "f").Permissions);
    }

    [Fact]
    public void Sync_succeeds_on_tmpfs()
    {
        using var fd = _directory.CreateFile("f", 0b110_000_000);
        Files.WriteAll(fd, "data"u8, "f");

        Files.Sync(fd, "f");

        Assert.Equal("data"u8.ToArray(), Files.ReadAll(fd, "f"));
    }

    [Fact]
    public void WriteAll_appends_at_the_current_offset()
    {
        using var fd = _directory.CreateFile("f", 0b110_000_000);

        Files.WriteAll(fd, "abc"u8, "f");
        Files.WriteAll(fd, "def"u8, "f");

        Assert.Equal("abcdef"u8.ToArray(), Files.ReadAll(fd, "f"));
    }

    [Fact]
    public void WriteAll_to_a_read_only_descriptor_fails_with_EBADF()
    {
        using (_directory.CreateFile("f", 0b110_000_000))
        {
        }

        using var readOnly = _directory.OpenFile("f", writable: false);

        var error = Assert.Throws<SystemCallException>(() => Files.WriteAll(readOnly, "x"u8, "f"));

        Assert.Equal(Errnos.EBADF, error.Errno);
        Assert.Equal("write", error.Call);
    }

    [Fact]
    public void ReadAll_refuses_a_file_larger_than_16_MiB()
    {
        using var fd = _directory.CreateFile("huge", 0b110_000_000);
        Files.Truncate(fd, (16 << 20) + 1, "huge");

        var error = Assert.Throws<IOException>(() => Files.ReadAll(fd, "huge"));

        Assert.Contains("huge", error.Message, StringComparison.Ordinal);
        Assert.Contains(((16 << 20) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadAll_of_an_empty_file_is_empty()
    {
        using var fd = _directory.CreateFile("empty", 0b110_000_000);

        Assert.Empty(Files.ReadAll(fd, "empty"));
    }

    [Fact]
    public void FileSystem_reports_tmpfs_on_dev_shm()
    {
        using var fd = _directory.CreateFile("f", 0b110_000_000);

        Assert.True(Files.FileSystem(fd, "f").IsTmpfs);
    }

    [Fact]
    public void FileSystem_reports_not_tmpfs_on_the_repository_directory()
    {
        var repository = FindRepositoryRoot();
        using var directory = DirectoryHandle.Open(repository);
        var status = directory.FileSystem();

        // The repository must live on a disk for this test to mean anything.
        Assert.False(IsOnTmpfsByMountTable(repository), $"{repository} is itself on tmpfs; run the tests from a checkout on disk");
        Assert.False(status.IsTmpfs);
        Assert.True(status.TotalBytes > 0);
    }

    private static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Join(dir.FullName, "mapd.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("cannot find mapd.sln above " + AppContext.BaseDirectory);
    }

    private static bool IsOnTmpfsByMountTable(string path)
    {
        // The longest mount point that is a prefix of the path decides its filesystem type.
        var best = (Point: "", Type: "");
        foreach (var line in File.ReadLines("/proc/self/mounts"))
        {
            var fields = line.Split(' ');
            var point = fields[1];
            var isPrefix = path == point || path.StartsWith(point.TrimEnd('/') + "/", StringComparison.Ordinal);
            if (isPrefix && point.Length >= best.Point.Length)
            {
                best = (point, fields[2]);
            }
        }

        return best.Type == "tmpfs";
    }

    [Fact]
    public void Only_the_sole_holder_of_a_file_is_told_so_and_a_mapping_counts_as_holding_it()
    {
        using var fd = _directory.CreateFile("leased", 0b110_000_000);
        Files.Truncate(fd, 8192, "leased");

        var alone = Files.IsOnlyHolder(fd, "leased");
        bool besideAnotherDescriptor;
        using (_directory.OpenFile("leased", writable: false))
        {
            besideAnotherDescriptor = Files.IsOnlyHolder(fd, "leased");
        }

        bool besideAMapping;
        using (var other = _directory.OpenFile("leased", writable: false))
        using (MemoryMapping.MapShared(other, 4096, writable: false))
        {
            other.Dispose();
            besideAMapping = Files.IsOnlyHolder(fd, "leased");
        }

        Assert.True(alone);
        Assert.False(besideAnotherDescriptor);
        Assert.False(besideAMapping);
        Assert.True(Files.IsOnlyHolder(fd, "leased"));
    }

    [Fact]
    public void PunchFrom_frees_what_fallocate_allocated_past_the_end()
    {
        using var fd = _directory.CreateFile("past", 0b110_000_000);
        Files.Truncate(fd, 4096, "past");
        Files.Allocate(fd, 0, 1 << 20, keepSize: true, "past");
        var allocated = Files.Stat(fd, "past").AllocatedBytes;

        Files.PunchFrom(fd, 4096, "past");

        Assert.True(allocated >= 1 << 20, $"{allocated} bytes allocated");
        Assert.True(Files.Stat(fd, "past").AllocatedBytes <= 4096);
        Assert.Equal(4096, Files.Stat(fd, "past").Size);
    }
}
