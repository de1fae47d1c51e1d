namespace Mapd.Testing;

/// <summary>How <see cref="MapdDaemon"/> starts the daemon. Every default suits a test; benchmarks change a few.</summary>
public sealed record MapdDaemonOptions
{
    /// <summary><c>Mapd:Storage:Size</c>; null leaves it unset (the filesystem's size).</summary>
    public string? StorageSize { get; init; } = "256M";

    /// <summary>Configuration keys (<c>Mapd:...</c>) passed as <c>--KEY=VALUE</c>; they win over the defaults.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Keys the launcher would set (such as <c>Mapd:Metrics:Url</c>, empty) but that should stay
    /// unset, so the daemon's built-in defaults apply.
    /// </summary>
    public IReadOnlyList<string> UnsetSettings { get; init; } = [];

    /// <summary>
    /// Mount a fresh tmpfs for the storage (<c>Mapd:Storage:Mount=true</c>); null mounts when
    /// running as root, as CI does, and uses a <c>/dev/shm</c> directory otherwise.
    /// </summary>
    public bool? MountStorage { get; init; }

    /// <summary>A command to run the daemon under (systemd-socket-activate, setpriv...), before <c>dotnet mapd.dll</c>.</summary>
    public IReadOnlyList<string> Prefix { get; init; } = [];

    /// <summary>Environment variables to set (or, with a null value, to remove) for the daemon.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>The daemon's entry assembly; null takes this build's <c>mapd.dll</c>.</summary>
    public string? DaemonDll { get; init; }

    /// <summary>
    /// The scratch directory (sockets in <c>run/</c>): reuse one to start a second daemon on the
    /// same storage; null makes a fresh one.
    /// </summary>
    public string? Root { get; init; }

    /// <summary>The scratch directory's name prefix under /tmp, so a leftover says who left it.</summary>
    public string RootPrefix { get; init; } = "mapd-it-";

    /// <summary>
    /// On dispose, stop with SIGTERM (the daemon unlinks its sockets and unmounts nothing) and
    /// SIGKILL only after 5 s; false kills at once, which is all a test needs.
    /// </summary>
    public bool StopGracefully { get; init; }

    /// <summary>How many lines of the daemon's output to keep for messages; 0 keeps everything.</summary>
    public int KeptLines { get; init; }
}
