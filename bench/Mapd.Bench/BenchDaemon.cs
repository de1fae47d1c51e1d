namespace Mapd.Bench;

/// <summary>
/// How the benchmarks start the real daemon: a separate process on a private socket directory
/// and storage directory, so they measure exactly what clients get and never touch a daemon
/// someone else runs; stopped with SIGTERM so it unlinks its sockets.
/// </summary>
internal static class BenchDaemon
{
    /// <summary>Options for <see cref="MapdDaemon.StartAsync(MapdDaemonOptions, CancellationToken)"/> with <paramref name="daemonPath"/> and extra settings.</summary>
    public static MapdDaemonOptions Options(string daemonPath, IReadOnlyDictionary<string, string> settings) => new()
    {
        DaemonDll = daemonPath,
        StorageSize = null,
        MountStorage = false,
        Settings = settings,
        RootPrefix = "mapd-bench-",
        StopGracefully = true,
        KeptLines = 40,
    };
}
