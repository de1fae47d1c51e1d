namespace Mapd.Client;

/// <summary>How to reach the daemon.</summary>
public sealed record MapdClientOptions
{
    /// <summary>
    /// The daemon's socket directory. Null uses <c>MAPD_SOCKET_DIR</c>, else the contract's
    /// default: <c>/run/mapd</c> for root, <c>$XDG_RUNTIME_DIR/mapd</c>, else <c>/tmp/mapd-&lt;uid&gt;</c>.
    /// </summary>
    public string? SocketDirectory { get; init; }

    /// <summary>How long <see cref="MapdClient.ConnectAsync"/> waits for the daemon.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The directory actually used.</summary>
    public string ResolveSocketDirectory()
    {
        if (!string.IsNullOrEmpty(SocketDirectory))
        {
            return SocketDirectory;
        }

        var fromEnvironment = Environment.GetEnvironmentVariable("MAPD_SOCKET_DIR");
        return string.IsNullOrEmpty(fromEnvironment) ? SocketLocation.DefaultDirectory(Native.ProcessIdentity.Uid) : fromEnvironment;
    }
}
