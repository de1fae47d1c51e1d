namespace Mapd.Protocol;

/// <summary>Where the daemon's sockets live when nothing is configured (the contract's defaults).</summary>
public static class SocketLocation
{
    /// <summary>The gRPC socket's file name.</summary>
    public const string GrpcSocketName = "mapd.sock";

    /// <summary>The session socket's file name.</summary>
    public const string SessionSocketName = "mapd-fd.sock";

    /// <summary><c>/run/mapd</c> for root, else <c>$XDG_RUNTIME_DIR/mapd</c>, else <c>/tmp/mapd-&lt;uid&gt;</c>.</summary>
    public static string DefaultDirectory(uint uid)
    {
        if (uid == 0)
        {
            return "/run/mapd";
        }

        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return string.IsNullOrEmpty(runtime) ? $"/tmp/mapd-{uid}" : Path.Join(runtime, "mapd");
    }
}
