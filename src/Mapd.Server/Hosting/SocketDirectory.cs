using System.Globalization;
using System.Net.Sockets;
using Mapd.Native;
using Mapd.Server.Errors;

namespace Mapd.Server.Hosting;

/// <summary>
/// The directory holding <c>mapd.sock</c> and <c>mapd-fd.sock</c>, and the mode and group
/// those socket files get.
/// </summary>
public sealed class SocketDirectory
{
    private readonly uint _mode;
    private readonly uint? _gid;

    /// <summary>Resolves and validates the configured socket settings.</summary>
    public SocketDirectory(MapdOptions options)
    {
        Path = string.IsNullOrWhiteSpace(options.SocketDirectory) ? SocketLocation.DefaultDirectory(ProcessIdentity.Uid) : options.SocketDirectory;
        try
        {
            _mode = Convert.ToUInt32(options.SocketMode, 8);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new StartupException($"Mapd:SocketMode '{options.SocketMode}' is not an octal mode such as 0660");
        }

        if (_mode > 0b111_111_111)
        {
            throw new StartupException($"Mapd:SocketMode '{options.SocketMode}' is above 0777");
        }

        if (!string.IsNullOrWhiteSpace(options.SocketGroup))
        {
            _gid = GroupDatabase.FindGid(options.SocketGroup)
                ?? throw new StartupException($"Mapd:SocketGroup '{options.SocketGroup}' is not a group in /etc/group nor a number");
        }
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>True when <see cref="Prepare"/> found the directory writable by <c>Mapd:SocketGroup</c>, which the operator chose to trust.</summary>
    public bool GroupWritable { get; private set; }

    /// <summary>The gRPC socket.</summary>
    public string GrpcSocket => System.IO.Path.Join(Path, SocketLocation.GrpcSocketName);

    /// <summary>The session socket.</summary>
    public string SessionSocket => System.IO.Path.Join(Path, SocketLocation.SessionSocketName);

    /// <summary>
    /// Creates the directory if needed and checks that it is a real directory (not a symlink)
    /// owned by this user or root that nobody else can write, so nobody else can plant or swap
    /// sockets in it: world-writable is refused (a sticky bit does not help: while the daemon is
    /// down anyone could put a listener of their own at <c>mapd-fd.sock</c>), and group-writable
    /// is refused unless the group is <c>Mapd:SocketGroup</c>, the group the operator chose to
    /// trust with the sockets (then <see cref="GroupWritable"/> says so, for the log).
    /// </summary>
    public void Prepare()
    {
        try
        {
            DirectoryHandle.CreatePath(Path, 0b111_101_101);
            using var directory = DirectoryHandle.Open(Path);
            var status = directory.TryStat(".")!.Value;
            if (status.Uid != ProcessIdentity.Uid && status.Uid != 0)
            {
                throw new StartupException($"socket directory {Path} belongs to uid {status.Uid}; it must belong to the daemon's user (uid {ProcessIdentity.Uid}) or root");
            }

            var mode = $"0{Convert.ToString(status.Permissions, 8)}";
            if ((status.Permissions & 0b000_000_010) != 0)
            {
                throw new StartupException($"socket directory {Path} is writable by everyone (mode {mode}), so anyone could put a socket of their own where clients look for mapd's; chmod o-w {Path} or pick another Mapd:SocketDirectory");
            }

            if ((status.Permissions & 0b000_010_000) != 0)
            {
                if (_gid != status.Gid)
                {
                    throw new StartupException($"socket directory {Path} is writable by group {status.Gid} (mode {mode}), so its members could put a socket of their own where clients look for mapd's; chmod g-w {Path}, or, to trust that group with the sockets on purpose, set Mapd:SocketGroup={status.Gid}");
                }

                GroupWritable = true;
            }
        }
        catch (SystemCallException e)
        {
            throw new StartupException($"cannot use socket directory: {e.Message}");
        }
    }

    /// <summary>
    /// Removes a stale socket file at <paramref name="path"/> left by a daemon that died;
    /// refuses to start when a live daemon still answers on it.
    /// </summary>
    public static void ClearStale(string path, SocketType type)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using (var probe = new Socket(AddressFamily.Unix, type, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new StartupException($"another mapd is serving {path}; stop it, or give this one another Mapd:SocketDirectory", ExitCode.Unavailable);
            }
            catch (SocketException)
            {
                // Nobody listens: the file is left over from a daemon that died.
            }
        }

        File.Delete(path);
    }

    /// <summary>Gives the socket file at <paramref name="path"/> the configured mode and group.</summary>
    public void ApplyPermissions(string path)
    {
        if (_gid is { } gid)
        {
            PathPermissions.ChangeGroup(path, gid);
        }

        PathPermissions.Chmod(path, _mode);
    }

    /// <summary>The mode as octal text, for logs.</summary>
    public string ModeText => "0" + Convert.ToString(_mode, 8).PadLeft(3, '0');

    /// <summary>The group, for logs.</summary>
    public string GroupText => _gid?.ToString(CultureInfo.InvariantCulture) ?? "(daemon's)";
}
