using System.Runtime.InteropServices;
using Mapd.Native;

namespace Mapd.Server.Hosting;

/// <summary>What <c>mapd --help</c> and <c>mapd --version</c> print.</summary>
public static class DaemonUsage
{
    /// <summary>The version line: mapd's version and the runtime it runs on.</summary>
    public static string VersionLine => $"mapd {DaemonInfo.Version} (protocol mapd.v1, .NET {Environment.Version}, {RuntimeInformation.RuntimeIdentifier})";

    /// <summary>The help text, with the defaults as they apply to the user running it.</summary>
    public static string Text() => $"""
        mapd: serves shared-memory regions on a dedicated tmpfs to client processes over Unix sockets.

        Usage:
          mapd [--Mapd:Key=value ...]              run the daemon until SIGTERM or SIGINT
          mapd healthcheck [--Mapd:Key=value ...]  ask a running daemon's /healthz; exit 0 when healthy
          mapd --help | --version

        Settings come from appsettings.json, Mapd__Section__Key environment variables, or
        --Mapd:Section:Key=value arguments (defaults for this user in brackets):
          Mapd:SocketDirectory         where mapd.sock and mapd-fd.sock live [{SocketLocation.DefaultDirectory(ProcessIdentity.Uid)}]
          Mapd:SocketMode              mode of both sockets [0660]
          Mapd:SocketGroup             group of both sockets [the daemon's]
          Mapd:Storage:Path            the storage directory, on tmpfs [/dev/shm/mapd-{ProcessIdentity.Uid}]
          Mapd:Storage:Mount           mount a fresh tmpfs there; needs CAP_SYS_ADMIN [false]
          Mapd:Storage:Size            capacity, and the tmpfs size when mounting, e.g. 8G [the filesystem's]
          Mapd:Storage:HugePages       never | within_size | always, when mounting [within_size]
          Mapd:Grace:Timeout           how long a shrink waits for mappers to let go [00:00:30]
          Mapd:Grace:RecoveryWindow    after a restart, how long shrinks and deletes wait [00:00:30]
          Mapd:Limits:MaxRegions, Mapd:Limits:MaxRegionSize, Mapd:Limits:MaxUnreadFds, Mapd:Limits:MaxSessions
          Mapd:Metrics:Url             loopback Prometheus endpoint; port 0 picks a free one; empty turns it off
                                       [http://127.0.0.1:9464, or a free port when another daemon has that one]

        Exit status: 0 stopped as asked; 64 bad command line; 69 a socket or port is taken;
        70 internal error; 73 the storage cannot be used; 78 a setting is wrong.
        Operations guide: /usr/share/doc/mapd/operations.md (docs/operations.md in the source).

        """;
}
