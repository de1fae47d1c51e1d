using System.Net.Sockets;
using Mapd.Native;

namespace Mapd.Client;

/// <summary>
/// How clients find the daemon (the contract's rule, the same in this library, mapctl and the
/// Python package): a directory named explicitly; else <c>MAPD_SOCKET_DIR</c>; else the user's
/// own socket directory when a daemon of theirs serves there; else the system daemon's
/// <c>/run/mapd</c>.
/// </summary>
public static class SocketDiscovery
{
    /// <summary>The environment variable that names the socket directory.</summary>
    public const string EnvironmentVariable = "MAPD_SOCKET_DIR";

    /// <summary>Where the system daemon (root, systemd) listens.</summary>
    public const string SystemDirectory = "/run/mapd";

    /// <summary>Applies the rule for user <paramref name="uid"/>.</summary>
    /// <param name="explicitDirectory">A directory the caller named (an option or argument); null or empty when none.</param>
    /// <param name="uid">The user whose own directory is tried.</param>
    public static SocketSearch Find(string? explicitDirectory, uint uid)
    {
        if (!string.IsNullOrEmpty(explicitDirectory))
        {
            return new SocketSearch(explicitDirectory, [$"{explicitDirectory} (given explicitly)"]);
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return new SocketSearch(fromEnvironment, [$"{fromEnvironment} (from {EnvironmentVariable})"]);
        }

        var own = SocketLocation.DefaultDirectory(uid);
        if (own == SystemDirectory)
        {
            return new SocketSearch(own, [$"{own} (the system daemon's)"]);
        }

        return WhyNotServing(own, uid) is { } reason
            ? new SocketSearch(SystemDirectory, [$"{own} ({reason})", $"{SystemDirectory} (the system daemon's)"])
            : new SocketSearch(own, [$"{own} (your own daemon's)"]);
    }

    /// <summary>
    /// Null when a daemon serves in <paramref name="directory"/> for <paramref name="uid"/>: the
    /// directory is a real directory that belongs to that user and that nobody else may write
    /// (another user could have made /tmp/mapd-UID to put their own listener there), and its
    /// <c>mapd.sock</c> accepts a connection. Else why not, in a few words.
    /// </summary>
    public static string? WhyNotServing(string directory, uint uid)
    {
        FileStatus? status;
        try
        {
            status = Files.TryStatPath(directory);
        }
        catch (SystemCallException e)
        {
            return e.ErrnoName;
        }

        switch (status)
        {
            case null:
                return "no such directory";
            case { IsDirectory: false }:
                return "not a directory";
            case { Uid: var owner } when owner != uid:
                return $"belongs to uid {owner}, not trusted";
            case { Permissions: var mode } when (mode & 0b000_010_010) != 0:
                return "writable by other users, not trusted";
        }

        var socketPath = Path.Join(directory, SocketLocation.GrpcSocketName);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { Blocking = false };
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.TryAgain or SocketError.InProgress)
        {
            // The backlog is full: a daemon is there, only busy.
            return null;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode switch
            {
                SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported when !File.Exists(socketPath) => "no daemon: no mapd.sock",
                SocketError.ConnectionRefused => "no daemon: mapd.sock refuses connections",
                _ => $"no daemon: {e.Message}",
            };
        }
    }
}
