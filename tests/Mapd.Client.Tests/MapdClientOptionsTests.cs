using System.Net.Sockets;
using Mapd.Native;

namespace Mapd.Client.Tests;

/// <summary>These tests change process environment variables, so they live in one class (xunit runs a class's tests one at a time).</summary>
public sealed class MapdClientOptionsTests : IDisposable
{
    private readonly string? _socketDir = Environment.GetEnvironmentVariable("MAPD_SOCKET_DIR");
    private readonly string? _runtimeDir = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("MAPD_SOCKET_DIR", _socketDir);
        Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", _runtimeDir);
    }

    [Fact]
    public void An_explicit_directory_wins_over_the_environment()
    {
        Environment.SetEnvironmentVariable("MAPD_SOCKET_DIR", "/from/env");

        var options = new MapdClientOptions { SocketDirectory = "/explicit" };

        Assert.Equal("/explicit", options.ResolveSocketDirectory());
    }

    [Fact]
    public void MAPD_SOCKET_DIR_is_used_when_nothing_is_explicit()
    {
        Environment.SetEnvironmentVariable("MAPD_SOCKET_DIR", "/from/env");

        Assert.Equal("/from/env", new MapdClientOptions().ResolveSocketDirectory());
        Assert.Equal("/from/env", new MapdClientOptions { SocketDirectory = "" }.ResolveSocketDirectory());
    }

    [Fact]
    public void Without_either_and_without_a_daemon_of_ones_own_the_system_daemon_is_used()
    {
        Environment.SetEnvironmentVariable("MAPD_SOCKET_DIR", null);
        Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", "/run/user/4242");

        var search = new MapdClientOptions().FindSocketDirectory();

        Assert.Equal("/run/mapd", search.Directory);
        Assert.Equal("/run/mapd", new MapdClientOptions().ResolveSocketDirectory());
        if (ProcessIdentity.Uid != 0)
        {
            Assert.Equal(["/run/user/4242/mapd (no such directory)", "/run/mapd (the system daemon's)"], search.Looked);
        }
    }

    [Fact]
    public void A_daemon_serving_in_ones_own_directory_is_found_before_the_system_one()
    {
        using var scratch = new ScratchDirectory();
        var own = scratch.Join("mapd");
        Directory.CreateDirectory(own);
        File.SetUnixFileMode(own, (UnixFileMode)0b111_000_000);
        var listener = Listen(Path.Join(own, SocketLocation.GrpcSocketName));

        Assert.Null(SocketDiscovery.WhyNotServing(own, ProcessIdentity.Uid));
        Assert.Equal($"belongs to uid {ProcessIdentity.Uid}, not trusted", SocketDiscovery.WhyNotServing(own, ProcessIdentity.Uid + 1));
        File.SetUnixFileMode(own, (UnixFileMode)0b111_111_111);
        Assert.Equal("writable by other users, not trusted", SocketDiscovery.WhyNotServing(own, ProcessIdentity.Uid));
        File.SetUnixFileMode(own, (UnixFileMode)0b111_101_101);
        listener.Dispose();
        Assert.StartsWith("no daemon", SocketDiscovery.WhyNotServing(own, ProcessIdentity.Uid), StringComparison.Ordinal);

        if (ProcessIdentity.Uid != 0)
        {
            Environment.SetEnvironmentVariable("MAPD_SOCKET_DIR", null);
            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", scratch.Path);
            File.Delete(Path.Join(own, SocketLocation.GrpcSocketName));
            using var again = Listen(Path.Join(own, SocketLocation.GrpcSocketName));
            Assert.Equal(own, new MapdClientOptions().ResolveSocketDirectory());
        }
    }

    [Fact]
    public void Where_the_directory_came_from_is_described_for_error_messages()
    {
        Environment.SetEnvironmentVariable("MAPD_SOCKET_DIR", "/from/env");

        Assert.Equal("looked in /explicit (given explicitly)", new MapdClientOptions { SocketDirectory = "/explicit" }.FindSocketDirectory().Describe());
        Assert.Equal("looked in /from/env (from MAPD_SOCKET_DIR)", new MapdClientOptions().FindSocketDirectory().Describe());
    }

    [Fact]
    public void An_empty_MAPD_SOCKET_DIR_counts_as_unset()
    {
        Environment.SetEnvironmentVariable("MAPD_SOCKET_DIR", "");
        Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", null);

        var resolved = new MapdClientOptions().ResolveSocketDirectory();

        Assert.Equal(ProcessIdentity.Uid == 0 ? "/run/mapd" : $"/tmp/mapd-{ProcessIdentity.Uid}", resolved);
    }

    [Fact]
    public void The_default_for_root_is_run_mapd_whatever_XDG_RUNTIME_DIR_says()
    {
        Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", "/run/user/0");

        Assert.Equal("/run/mapd", SocketLocation.DefaultDirectory(0));
    }

    [Fact]
    public void The_default_for_other_users_is_under_XDG_RUNTIME_DIR()
    {
        Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", "/run/user/1000");

        Assert.Equal("/run/user/1000/mapd", SocketLocation.DefaultDirectory(1000));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void The_default_for_other_users_without_XDG_RUNTIME_DIR_is_tmp_mapd_uid(string? runtime)
    {
        Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", runtime);

        Assert.Equal("/tmp/mapd-1000", SocketLocation.DefaultDirectory(1000));
    }

    [Fact]
    public void The_socket_file_names_are_the_contracts()
    {
        Assert.Equal("mapd.sock", SocketLocation.GrpcSocketName);
        Assert.Equal("mapd-fd.sock", SocketLocation.SessionSocketName);
    }

    private static Socket Listen(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen(1);
        return socket;
    }
}
