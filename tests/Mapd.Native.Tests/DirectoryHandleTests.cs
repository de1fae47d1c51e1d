using System.Text;

namespace Mapd.Native.Tests;

public sealed class DirectoryHandleTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();
    private readonly DirectoryHandle _directory;

    public DirectoryHandleTests() => _directory = _scratch.Open();

    public void Dispose()
    {
        _directory.Dispose();
        _scratch.Dispose();
    }

    [Fact]
    public void CreateFile_makes_a_regular_file_with_the_given_mode()
    {
        using (_directory.CreateFile("region", 0b110_100_000))
        {
        }

        var status = _directory.TryStat("region");
        Assert.NotNull(status);
        Assert.True(status.Value.IsRegularFile);
        Assert.Equal(0b110_100_000u, status.Value.Permissions);
        Assert.Equal(ProcessIdentity.Uid, status.Value.Uid);
    }

    [Fact]
    public void CreateFile_on_an_existing_name_fails_with_EEXIST_naming_the_call_and_path()
    {
        using (_directory.CreateFile("taken", 0b110_000_000))
        {
        }

        var error = Assert.Throws<SystemCallException>(() => _directory.CreateFile("taken", 0b110_000_000));

        Assert.Equal(Errnos.EEXIST, error.Errno);
        Assert.Equal("openat", error.Call);
        Assert.Equal(_scratch.Join("taken"), error.Target);
        Assert.Contains("openat(" + _scratch.Join("taken") + ")", error.Message, StringComparison.Ordinal);
        Assert.Contains("EEXIST", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenFile_refuses_a_symlink_with_ELOOP()
    {
        File.WriteAllText(_scratch.Join("target"), "secret");
        File.CreateSymbolicLink(_scratch.Join("link"), _scratch.Join("target"));

        var read = Assert.Throws<SystemCallException>(() => _directory.OpenFile("link", writable: false));
        var write = Assert.Throws<SystemCallException>(() => _directory.OpenFile("link", writable: true));

        Assert.Equal(Errnos.ELOOP, read.Errno);
        Assert.Equal(Errnos.ELOOP, write.Errno);
        Assert.Equal("ELOOP", read.ErrnoName);
    }

    [Fact]
    public void CreateOrTruncateFile_refuses_a_symlink_and_leaves_its_target_intact()
    {
        File.WriteAllText(_scratch.Join("target"), "secret");
        File.CreateSymbolicLink(_scratch.Join("link"), _scratch.Join("target"));

        var error = Assert.Throws<SystemCallException>(() => _directory.CreateOrTruncateFile("link", 0b110_000_000));

        Assert.Equal(Errnos.ELOOP, error.Errno);
        Assert.Equal("secret", File.ReadAllText(_scratch.Join("target")));
    }

    [Fact]
    public void CreateFile_refuses_a_dangling_symlink_instead_of_creating_its_target()
    {
        File.CreateSymbolicLink(_scratch.Join("link"), _scratch.Join("elsewhere"));

        var error = Assert.Throws<SystemCallException>(() => _directory.CreateFile("link", 0b110_000_000));

        Assert.Equal(Errnos.EEXIST, error.Errno);
        Assert.False(File.Exists(_scratch.Join("elsewhere")));
    }

    [Fact]
    public void Open_refuses_a_symlink_to_a_directory()
    {
        Directory.CreateDirectory(_scratch.Join("real"));
        File.CreateSymbolicLink(_scratch.Join("alias"), _scratch.Join("real"));

        var error = Assert.Throws<SystemCallException>(() => DirectoryHandle.Open(_scratch.Join("alias")));

        Assert.Contains(error.Errno, new[] { Errnos.ELOOP, Errnos.ENOTDIR });
        Assert.Equal("open", error.Call);
    }

    [Fact]
    public void WriteFileAtomically_replaces_contents_and_leaves_no_temporary_file()
    {
        _directory.WriteFileAtomically("meta.json", "first version, longer than the second"u8, 0b110_000_000);
        _directory.WriteFileAtomically("meta.json", "second"u8, 0b110_000_000);

        Assert.Equal("second", Encoding.UTF8.GetString(_directory.ReadFile("meta.json")));
        Assert.Equal(["meta.json"], _directory.ListNames());
    }

    [Fact]
    public void WriteFileAtomically_replaces_a_symlink_instead_of_writing_through_it()
    {
        File.WriteAllText(_scratch.Join("target"), "secret");
        File.CreateSymbolicLink(_scratch.Join("meta.json"), _scratch.Join("target"));

        _directory.WriteFileAtomically("meta.json", "new"u8, 0b110_000_000);

        Assert.Equal("secret", File.ReadAllText(_scratch.Join("target")));
        Assert.Equal("new", Encoding.UTF8.GetString(_directory.ReadFile("meta.json")));
        Assert.True(_directory.TryStat("meta.json")!.Value.IsRegularFile);
    }

    [Fact]
    public void WriteFileAtomically_gives_the_file_the_requested_mode()
    {
        _directory.WriteFileAtomically("meta.json", "{}"u8, 0b110_000_000);

        Assert.Equal(0b110_000_000u, _directory.TryStat("meta.json")!.Value.Permissions);
    }

    [Fact]
    public void ListNames_lists_files_directories_and_links_without_dot_entries()
    {
        File.WriteAllText(_scratch.Join("a"), "");
        File.WriteAllText(_scratch.Join(".hidden"), "");
        Directory.CreateDirectory(_scratch.Join("sub"));
        File.CreateSymbolicLink(_scratch.Join("link"), "/nonexistent");

        var names = _directory.ListNames().Order(StringComparer.Ordinal).ToArray();

        Assert.Equal([".hidden", "a", "link", "sub"], names);
    }

    [Fact]
    public void ListNames_follows_the_open_directory_when_its_path_is_renamed()
    {
        Directory.CreateDirectory(_scratch.Join("before"));
        File.WriteAllText(_scratch.Join("before/inside"), "");
        using var sub = DirectoryHandle.Open(_scratch.Join("before"));

        Directory.Move(_scratch.Join("before"), _scratch.Join("after"));
        Directory.CreateDirectory(_scratch.Join("before"));

        Assert.Equal(["inside"], sub.ListNames());
    }

    [Fact]
    public void ListNames_of_an_empty_directory_is_empty()
    {
        Assert.Empty(_directory.ListNames());
    }

    [Fact]
    public void TryLockExclusive_from_a_second_handle_fails_until_the_first_is_closed()
    {
        using var second = _scratch.Open();
        bool thirdLocked;
        using (var first = _scratch.Open())
        {
            Assert.True(first.TryLockExclusive());
            Assert.False(second.TryLockExclusive());
        }

        thirdLocked = second.TryLockExclusive();

        Assert.True(thirdLocked);
    }

    [Fact]
    public void TryStat_describes_files_directories_and_symlinks_without_following_them()
    {
        File.WriteAllBytes(_scratch.Join("file"), new byte[1234]);
        Directory.CreateDirectory(_scratch.Join("dir"));
        File.CreateSymbolicLink(_scratch.Join("link"), _scratch.Join("file"));

        var file = _directory.TryStat("file")!.Value;
        var dir = _directory.TryStat("dir")!.Value;
        var link = _directory.TryStat("link")!.Value;

        Assert.True(file.IsRegularFile);
        Assert.Equal(1234, file.Size);
        Assert.True(dir.IsDirectory);
        Assert.False(dir.IsRegularFile);
        Assert.True(link.IsSymbolicLink);
        Assert.NotEqual(file.Inode, link.Inode);
        Assert.Null(_directory.TryStat("missing"));
    }

    [Fact]
    public void Unlink_reports_whether_the_name_existed()
    {
        File.WriteAllText(_scratch.Join("doomed"), "");

        Assert.True(_directory.Unlink("doomed"));
        Assert.False(_directory.Unlink("doomed"));
        Assert.False(File.Exists(_scratch.Join("doomed")));
    }

    [Fact]
    public void Rename_moves_a_file_into_another_directory_keeping_its_inode()
    {
        using var target = _directory.OpenOrCreateSubdirectory("trash", 0b111_000_000);
        using (_directory.CreateFile("region", 0b110_000_000))
        {
        }

        var inode = _directory.TryStat("region")!.Value.Inode;

        _directory.Rename("region", target, "region.1");

        Assert.Null(_directory.TryStat("region"));
        Assert.Equal(inode, target.TryStat("region.1")!.Value.Inode);
    }

    [Fact]
    public void Rename_of_a_missing_file_names_both_paths()
    {
        var error = Assert.Throws<SystemCallException>(() => _directory.Rename("missing", _directory, "other"));

        Assert.Equal(Errnos.ENOENT, error.Errno);
        Assert.Equal($"{_scratch.Join("missing")} -> {_scratch.Join("other")}", error.Target);
    }

    [Fact]
    public void OpenOrCreateSubdirectory_creates_once_and_then_opens_the_same_directory()
    {
        using var first = _directory.OpenOrCreateSubdirectory("meta", 0b111_000_000);
        using var again = _directory.OpenOrCreateSubdirectory("meta", 0b111_000_000);

        Assert.Equal(_scratch.Join("meta"), first.Path);
        Assert.Equal(0b111_000_000u, _directory.TryStat("meta")!.Value.Permissions);
        Assert.Equal(Files.Stat(first.Descriptor, "first").Inode, Files.Stat(again.Descriptor, "again").Inode);
    }

    [Fact]
    public void OpenOrCreateSubdirectory_refuses_a_symlink_to_a_directory()
    {
        Directory.CreateDirectory(_scratch.Join("real"));
        File.CreateSymbolicLink(_scratch.Join("meta"), _scratch.Join("real"));

        var error = Assert.Throws<SystemCallException>(() => _directory.OpenOrCreateSubdirectory("meta", 0b111_000_000));

        Assert.Contains(error.Errno, new[] { Errnos.ELOOP, Errnos.ENOTDIR });
    }

    [Fact]
    public void CreatePath_reports_whether_it_created_the_directory()
    {
        var path = _scratch.Join("made");

        Assert.True(DirectoryHandle.CreatePath(path, 0b111_000_000));
        Assert.False(DirectoryHandle.CreatePath(path, 0b111_000_000));
        Assert.True(Directory.Exists(path));
    }

    [Fact]
    public void CreatePath_without_a_parent_fails_with_ENOENT()
    {
        var path = _scratch.Join("no/such/parent");

        var error = Assert.Throws<SystemCallException>(() => DirectoryHandle.CreatePath(path, 0b111_000_000));

        Assert.Equal(Errnos.ENOENT, error.Errno);
        Assert.Equal("mkdir", error.Call);
        Assert.Equal(path, error.Target);
    }

    [Fact]
    public void ReadFile_returns_exactly_what_was_written()
    {
        var contents = new byte[10_000];
        new Random(7).NextBytes(contents);
        File.WriteAllBytes(_scratch.Join("blob"), contents);

        Assert.Equal(contents, _directory.ReadFile("blob"));
    }

    [Fact]
    public void FileSystem_of_a_dev_shm_directory_is_tmpfs()
    {
        var status = _directory.FileSystem();

        Assert.True(status.IsTmpfs);
        Assert.True(status.TotalBytes > 0);
        Assert.InRange(status.FreeBytes, 0, status.TotalBytes);
        Assert.Equal(status.TotalBytes - status.FreeBytes, status.UsedBytes);
    }

    [Fact]
    public void Join_appends_the_name_to_the_directory_path()
    {
        Assert.Equal(_scratch.Path + "/x.json", _directory.Join("x.json"));
    }

    [Fact]
    public void TryStat_tells_a_mount_root_from_a_directory_inside_a_mount()
    {
        using var root = DirectoryHandle.Open("/");
        Assert.True(root.TryStat(".")!.Value.IsMountRoot);
        Assert.False(_directory.TryStat(".")!.Value.IsMountRoot);
    }

    [Fact]
    public async Task OpenFile_of_a_FIFO_neither_waits_nor_succeeds()
    {
        MakeFifo(_scratch.Join("fifo"));

        // Without O_NONBLOCK, opening a FIFO nobody writes to would wait forever.
        var read = await Task.Run(() => Assert.Throws<UnexpectedFileException>(() => _directory.OpenFile("fifo", writable: false))).WaitAsync(TimeSpan.FromMinutes(1));
        var write = Assert.Throws<UnexpectedFileException>(() => _directory.OpenFile("fifo", writable: true));

        Assert.Equal(_scratch.Join("fifo"), read.Path);
        Assert.Contains("is a FIFO, not a regular file", read.Message, StringComparison.Ordinal);
        Assert.Contains("FIFO", write.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenFile_of_a_directory_is_refused()
    {
        Directory.CreateDirectory(_scratch.Join("dir"));

        var error = Assert.Throws<UnexpectedFileException>(() => _directory.OpenFile("dir", writable: false));

        Assert.Contains("is a directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateOrTruncateFile_over_a_FIFO_is_refused_without_waiting()
    {
        MakeFifo(_scratch.Join(".meta.json.tmp"));

        Assert.Throws<UnexpectedFileException>(() => _directory.CreateOrTruncateFile(".meta.json.tmp", 0b110_000_000));
    }

    [Fact]
    public void Descriptors_of_regular_files_carry_no_O_NONBLOCK()
    {
        using var created = _directory.CreateFile("region", 0b110_000_000);
        using var opened = _directory.OpenFile("region", writable: true);

        Assert.Equal(0, StatusFlags(created) & 0x800);
        Assert.Equal(0, StatusFlags(opened) & 0x800);
    }

    [Fact]
    public void ReadFile_refuses_a_file_longer_than_the_limit_before_reading_it()
    {
        File.WriteAllBytes(_scratch.Join("big"), new byte[4097]);

        var error = Assert.Throws<UnexpectedFileException>(() => _directory.ReadFile("big", maxLength: 4096));

        Assert.Contains("is 4097 bytes, more than the 4096", error.Message, StringComparison.Ordinal);
        Assert.Equal(4097, _directory.ReadFile("big", maxLength: 4097).Length);
    }

    private static int StatusFlags(FileDescriptor fd)
    {
        var flags = File.ReadAllLines($"/proc/self/fdinfo/{fd.Value}").First(l => l.StartsWith("flags:", StringComparison.Ordinal));
        return Convert.ToInt32(flags["flags:".Length..].Trim(), 8);
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path])!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }
}
