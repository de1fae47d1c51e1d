using System.Net.Sockets;
using Mapd.Native;
using Mapd.Server.Errors;
using Mapd.Server.Hosting;

namespace Mapd.Server.Tests.Hosting;

public sealed class SocketDirectoryTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void The_socket_files_are_the_contracts_names_in_the_configured_directory()
    {
        var directory = new SocketDirectory(new MapdOptions { SocketDirectory = "/srv/mapd" });

        Assert.Equal("/srv/mapd", directory.Path);
        Assert.Equal("/srv/mapd/mapd.sock", directory.GrpcSocket);
        Assert.Equal("/srv/mapd/mapd-fd.sock", directory.SessionSocket);
    }

    [Fact]
    public void An_empty_directory_setting_means_the_contracts_default()
    {
        var directory = new SocketDirectory(new MapdOptions { SocketDirectory = " " });

        Assert.Equal(SocketLocation.DefaultDirectory(ProcessIdentity.Uid), directory.Path);
    }

    [Theory]
    [InlineData("0660", "0660")]
    [InlineData("660", "0660")]
    [InlineData("0600", "0600")]
    [InlineData("0777", "0777")]
    [InlineData("0", "0000")]
    public void SocketMode_is_read_as_octal(string configured, string shown)
    {
        var directory = new SocketDirectory(new MapdOptions { SocketDirectory = "/x", SocketMode = configured });

        Assert.Equal(shown, directory.ModeText);
    }

    [Theory]
    [InlineData("0999", "not an octal mode")]
    [InlineData("rw-rw----", "not an octal mode")]
    [InlineData("", "not an octal mode")]
    [InlineData("01777", "above 0777")]
    [InlineData("4777", "above 0777")]
    public void A_bad_SocketMode_stops_the_daemon_with_a_one_line_reason(string configured, string reason)
    {
        var error = Assert.Throws<StartupException>(() => new SocketDirectory(new MapdOptions { SocketDirectory = "/x", SocketMode = configured }));

        Assert.Contains("Mapd:SocketMode", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_numeric_SocketGroup_is_taken_as_a_gid()
    {
        var directory = new SocketDirectory(new MapdOptions { SocketDirectory = "/x", SocketGroup = "4242" });

        Assert.Equal("4242", directory.GroupText);
    }

    [Fact]
    public void An_unknown_SocketGroup_stops_the_daemon()
    {
        var error = Assert.Throws<StartupException>(() => new SocketDirectory(new MapdOptions { SocketDirectory = "/x", SocketGroup = $"no-such-group-{Guid.NewGuid():N}" }));

        Assert.Contains("Mapd:SocketGroup", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_SocketGroup_the_daemons_group_is_kept()
    {
        Assert.Equal("(daemon's)", new SocketDirectory(new MapdOptions { SocketDirectory = "/x" }).GroupText);
    }

    [Fact]
    public void Prepare_creates_the_directory_not_writable_by_others()
    {
        var path = _scratch.Join("run");
        var directory = new SocketDirectory(new MapdOptions { SocketDirectory = path });

        directory.Prepare();

        using var handle = DirectoryHandle.Open(path);
        var status = handle.TryStat(".")!.Value;
        Assert.True(status.IsDirectory);
        Assert.Equal(0u, status.Permissions & 0b000_010_010);
    }

    [Fact]
    public void Prepare_accepts_an_existing_directory_of_the_daemons_user()
    {
        var path = _scratch.Join("run");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        new SocketDirectory(new MapdOptions { SocketDirectory = path }).Prepare();

        Assert.True(Directory.Exists(path));
    }

    [Fact]
    public void Prepare_refuses_a_world_writable_directory_without_the_sticky_bit()
    {
        var path = _scratch.Join("run");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_111_111);

        var error = Assert.Throws<StartupException>(() => new SocketDirectory(new MapdOptions { SocketDirectory = path }).Prepare());

        Assert.Contains("writable by everyone", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_refuses_a_world_writable_directory_even_with_the_sticky_bit()
    {
        // Sticky keeps others from removing mapd's sockets, not from planting theirs while it is down.
        var path = _scratch.Join("run");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)0b001_111_111_111);

        var error = Assert.Throws<StartupException>(() => new SocketDirectory(new MapdOptions { SocketDirectory = path }).Prepare());

        Assert.Contains("writable by everyone (mode 01777)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Prepare_refuses_a_group_writable_directory_unless_its_group_is_the_SocketGroup()
    {
        var path = _scratch.Join("run");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_111_101);
        var gid = Files.TryStatPath(path)!.Value.Gid;
        var otherGid = gid + 1;

        var refused = Assert.Throws<StartupException>(() => new SocketDirectory(new MapdOptions { SocketDirectory = path }).Prepare());
        var otherGroup = Assert.Throws<StartupException>(() => new SocketDirectory(new MapdOptions { SocketDirectory = path, SocketGroup = Text(otherGid) }).Prepare());
        var trusted = new SocketDirectory(new MapdOptions { SocketDirectory = path, SocketGroup = Text(gid) });
        trusted.Prepare();

        Assert.Contains($"writable by group {gid}", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"Mapd:SocketGroup={gid}", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"writable by group {gid}", otherGroup.Message, StringComparison.Ordinal);
        Assert.True(trusted.GroupWritable);
    }

    [Fact]
    public void A_directory_only_the_daemon_writes_is_not_reported_group_writable()
    {
        var path = _scratch.Join("run");
        var directory = new SocketDirectory(new MapdOptions { SocketDirectory = path, SocketGroup = Text(ProcessIdentity.Gid) });

        directory.Prepare();

        Assert.False(directory.GroupWritable);
    }

    private static string Text(uint gid) => gid.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Prepare_refuses_a_symlink_in_place_of_the_directory()
    {
        Directory.CreateDirectory(_scratch.Join("elsewhere"));
        var path = _scratch.Join("run");
        File.CreateSymbolicLink(path, _scratch.Join("elsewhere"));

        var error = Assert.Throws<StartupException>(() => new SocketDirectory(new MapdOptions { SocketDirectory = path }).Prepare());

        Assert.Contains("cannot use socket directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClearStale_removes_a_socket_file_nobody_listens_on()
    {
        var path = _scratch.Join("mapd-fd.sock");
        LeaveStaleSocket(path, SocketType.Seqpacket);

        SocketDirectory.ClearStale(path, SocketType.Seqpacket);

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void ClearStale_without_a_file_does_nothing()
    {
        var path = _scratch.Join("mapd.sock");

        SocketDirectory.ClearStale(path, SocketType.Stream);

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void ClearStale_refuses_to_remove_the_socket_of_a_live_daemon()
    {
        var path = _scratch.Join("mapd.sock");
        using var live = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        live.Bind(new UnixDomainSocketEndPoint(path));
        live.Listen(1);

        var error = Assert.Throws<StartupException>(() => SocketDirectory.ClearStale(path, SocketType.Stream));

        Assert.Contains("another mapd", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void ApplyPermissions_gives_the_socket_file_the_configured_mode_and_group()
    {
        var path = _scratch.Join("mapd.sock");
        LeaveStaleSocket(path, SocketType.Stream);
        var gid = ProcessIdentity.Uid == 0 ? 4242u : ProcessIdentity.Gid;
        var directory = new SocketDirectory(new MapdOptions { SocketDirectory = _scratch.Path, SocketMode = "0620", SocketGroup = gid.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        directory.ApplyPermissions(path);

        using var handle = DirectoryHandle.Open(_scratch.Path);
        var status = handle.TryStat("mapd.sock")!.Value;
        Assert.Equal(0b110_010_000u, status.Permissions);
        Assert.Equal(gid, status.Gid);
    }

    private void LeaveStaleSocket(string path, SocketType type)
    {
        // .NET removes a socket file it bound when the socket is disposed: bind elsewhere, then move it.
        var bound = _scratch.Join($"bound-{Guid.NewGuid():N}.sock");
        using (var dead = new Socket(AddressFamily.Unix, type, ProtocolType.Unspecified))
        {
            dead.Bind(new UnixDomainSocketEndPoint(bound));
            File.Move(bound, path);
        }

        Assert.True(File.Exists(path));
    }
}
