using Mapd.Native;
using Mapd.Server.Errors;
using Mapd.Server.Peers;
using Mapd.Server.Regions;
using Mapd.Server.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mapd.Server.Tests.Storage;

public sealed class StorageRootTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void Open_creates_the_directory_and_its_private_subdirectories()
    {
        var path = _scratch.Join("storage");

        using var root = StorageRoot.Open(new StorageOptions { Path = path }, NullLogger.Instance);

        Assert.Equal(path, root.Path);
        Assert.False(root.Mounted);
        using var directory = DirectoryHandle.Open(path);
        foreach (var name in new[] { "regions", "meta", "trash", "quarantine" })
        {
            var status = directory.TryStat(name);
            Assert.True(status is { IsDirectory: true }, $"{name} is missing");
            Assert.Equal(0b111_000_000u, status.Value.Permissions);
        }
    }

    [Fact]
    public void Capacity_is_the_configured_size()
    {
        using var root = StorageRoot.Open(new StorageOptions { Path = _scratch.Join("storage"), Size = "64M" }, NullLogger.Instance);

        Assert.Equal(64L << 20, root.Capacity);
    }

    [Fact]
    public void Capacity_is_the_filesystems_size_without_a_setting_or_when_the_setting_is_larger()
    {
        using var unset = StorageRoot.Open(new StorageOptions { Path = _scratch.Join("a") }, NullLogger.Instance);
        var total = unset.FileSystem().TotalBytes;
        unset.Dispose();
        using var larger = StorageRoot.Open(new StorageOptions { Path = _scratch.Join("b"), Size = "4096P" }, NullLogger.Instance);

        Assert.Equal(total, unset.Capacity);
        Assert.Equal(total, larger.Capacity);
    }

    [Fact]
    public void A_second_open_of_a_locked_directory_is_refused()
    {
        var path = _scratch.Join("storage");
        using var first = StorageRoot.Open(new StorageOptions { Path = path }, NullLogger.Instance);

        var error = Assert.Throws<StartupException>(() => StorageRoot.Open(new StorageOptions { Path = path }, NullLogger.Instance));

        Assert.Contains("locked by another running mapd", error.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCode.Storage, error.ExitCode);
    }

    [Fact]
    public void The_lock_is_released_on_Dispose()
    {
        var path = _scratch.Join("storage");
        StorageRoot.Open(new StorageOptions { Path = path }, NullLogger.Instance).Dispose();

        using var again = StorageRoot.Open(new StorageOptions { Path = path }, NullLogger.Instance);

        Assert.Equal(path, again.Path);
    }

    [Fact]
    public void A_directory_not_on_tmpfs_is_refused_with_what_to_do()
    {
        var onDisk = Path.Join(Path.GetTempPath(), $"mapd-server-test-{Guid.NewGuid():N}");
        try
        {
            using (var probe = DirectoryHandle.Open(Path.GetTempPath()))
            {
                // The test means nothing where /tmp is itself a tmpfs.
                Assert.False(probe.FileSystem().IsTmpfs, "/tmp is on tmpfs here; this test needs a disk-backed directory");
            }

            var error = Assert.Throws<StartupException>(() => StorageRoot.Open(new StorageOptions { Path = onDisk }, NullLogger.Instance));

            Assert.Contains("not on tmpfs", error.Message, StringComparison.Ordinal);
            Assert.Contains("Mapd:Storage:Path", error.Message, StringComparison.Ordinal);
            Assert.Equal(ExitCode.Storage, error.ExitCode);
        }
        finally
        {
            if (Directory.Exists(onDisk))
            {
                Directory.Delete(onDisk, recursive: true);
            }
        }
    }

    [Fact]
    public void A_directory_owned_by_another_uid_is_refused()
    {
        var path = _scratch.Join("storage");
        Directory.CreateDirectory(path);
        var other = ProcessIdentity.Uid == 0 ? 4242 : -1;
        if (other < 0)
        {
            // Only root can give a directory away; as anyone else, the check cannot be provoked.
            return;
        }

        File.SetUnixFileMode(path, (UnixFileMode)0b111_000_000);
        ChangeOwner(path, (uint)other);

        var error = Assert.Throws<StartupException>(() => StorageRoot.Open(new StorageOptions { Path = path }, NullLogger.Instance));

        Assert.Contains("belongs to uid 4242", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sometimes")]
    [InlineData("")]
    [InlineData("ALWAYS")]
    public void An_unknown_HugePages_value_is_refused(string hugePages)
    {
        var error = Assert.Throws<StartupException>(() => StorageRoot.Open(new StorageOptions { Path = _scratch.Join("s"), HugePages = hugePages }, NullLogger.Instance));

        Assert.Contains("Mapd:Storage:HugePages", error.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCode.Configuration, error.ExitCode);
    }

    [Theory]
    [InlineData("12X")]
    [InlineData("-1G")]
    [InlineData("17179869184G")]
    public void A_bad_Size_is_refused_naming_the_setting(string size)
    {
        var error = Assert.Throws<StartupException>(() => StorageRoot.Open(new StorageOptions { Path = _scratch.Join("s"), Size = size }, NullLogger.Instance));

        Assert.Contains("Mapd:Storage:Size", error.Message, StringComparison.Ordinal);
        Assert.Contains(size, error.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCode.Configuration, error.ExitCode);
    }

    [Theory]
    [InlineData("8192P")]
    [InlineData("16383P")]
    [InlineData("100000000000000.5P")]
    public void A_Size_too_large_for_the_daemon_is_refused_naming_the_setting(string size)
    {
        var error = Assert.Throws<StartupException>(() => StorageRoot.Open(new StorageOptions { Path = _scratch.Join("s"), Size = size }, NullLogger.Instance));

        Assert.Contains("Mapd:Storage:Size", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_inside_a_shared_tmpfs_is_told_to_use_a_dedicated_one()
    {
        var logger = new RecordingLogger();
        using var root = StorageRoot.Open(new StorageOptions { Path = _scratch.Join("storage") }, logger);

        Assert.Contains(logger.Messages, m => m.Contains("mount a dedicated tmpfs", StringComparison.Ordinal));
    }

    [RequiresRootFact("mounts a tmpfs of its own, as run-mapd-storage.mount does")]
    public void A_tmpfs_mounted_right_at_the_path_is_dedicated_and_draws_no_warning()
    {
        var path = _scratch.Join("storage");
        Directory.CreateDirectory(path);
        Tmpfs.Mount(path, 8 << 20, 0b111_000_000, "never");
        try
        {
            var logger = new RecordingLogger();
            using (StorageRoot.Open(new StorageOptions { Path = path }, logger))
            {
                Assert.DoesNotContain(logger.Messages, m => m.Contains("dedicated tmpfs", StringComparison.Ordinal));
            }
        }
        finally
        {
            Tmpfs.Unmount(path);
        }
    }

    private static void ChangeOwner(string path, uint uid)
    {
        // .NET has no chown; lchown(2) through PathPermissions only changes the group, so use the tool.
        using var chown = System.Diagnostics.Process.Start("chown", [uid.ToString(System.Globalization.CultureInfo.InvariantCulture), path])!;
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }

    [Theory]
    [InlineData(0b111_111_111, "writable by everyone (mode 0777)")]
    [InlineData(0b001_111_111_111, "writable by everyone (mode 01777)")]
    [InlineData(0b111_111_000, "writable by group")]
    public void A_storage_root_others_may_write_is_refused_with_one_line(int mode, string reason)
    {
        // A tmpfs mounted without mode= is 1777: anyone could forge metadata or swap region files.
        var path = _scratch.Join("storage");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)mode);

        var error = Assert.Throws<StartupException>(() => StorageRoot.Open(new StorageOptions { Path = path }, NullLogger.Instance));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains("mode=0700", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("meta", 0b111_111_111, "writable by everyone")]
    [InlineData("regions", 0b111_111_000, "writable by group")]
    [InlineData("trash", 0b111_101_111, "writable by everyone")]
    public void A_subdirectory_others_may_write_is_refused(string name, int mode, string reason)
    {
        var path = _scratch.Join("storage");
        StorageRoot.Open(new StorageOptions { Path = path }, NullLogger.Instance).Dispose();
        File.SetUnixFileMode(Path.Join(path, name), (UnixFileMode)mode);

        var error = Assert.Throws<StartupException>(() => StorageRoot.Open(new StorageOptions { Path = path }, NullLogger.Instance));

        Assert.Contains($"storage {Path.Join(path, name)} is {reason}", error.Message, StringComparison.Ordinal);
    }

    [RequiresRootFact("gives a subdirectory to uid 65534 with chown")]
    public void A_subdirectory_another_user_created_is_refused()
    {
        var path = _scratch.Join("storage");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_000_000);
        Directory.CreateDirectory(Path.Join(path, "meta"));
        File.SetUnixFileMode(Path.Join(path, "meta"), (UnixFileMode)0b111_000_000);
        using (var chown = System.Diagnostics.Process.Start("chown", ["65534:65534", Path.Join(path, "meta")]))
        {
            chown.WaitForExit();
        }

        var error = Assert.Throws<StartupException>(() => StorageRoot.Open(new StorageOptions { Path = path }, NullLogger.Instance));

        Assert.Contains($"storage {Path.Join(path, "meta")} belongs to uid 65534", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symlink_in_place_of_a_subdirectory_is_refused_with_one_line()
    {
        var path = _scratch.Join("storage");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_000_000);
        Directory.CreateDirectory(_scratch.Join("elsewhere"));
        File.CreateSymbolicLink(Path.Join(path, "regions"), _scratch.Join("elsewhere"));

        var error = Assert.Throws<StartupException>(() => StorageRoot.Open(new StorageOptions { Path = path }, NullLogger.Instance));

        // O_DIRECTORY|O_NOFOLLOW on a symlink fails with ENOTDIR.
        Assert.Contains($"cannot use storage subdirectory: openat({Path.Join(path, "regions")}) failed: ENOTDIR", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a symlink", error.Message, StringComparison.Ordinal);
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}
