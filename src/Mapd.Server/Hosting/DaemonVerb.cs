namespace Mapd.Server.Hosting;

/// <summary>What a <c>mapd</c> command line asks for.</summary>
public enum DaemonVerb
{
    /// <summary>Run the daemon.</summary>
    Run,

    /// <summary><c>--help</c>: print the usage and exit 0.</summary>
    Help,

    /// <summary><c>--version</c>: print the version and exit 0.</summary>
    Version,

    /// <summary><c>healthcheck</c>: ask a running daemon's <c>/healthz</c>.</summary>
    HealthCheck,

    /// <summary>The command line makes no sense: print why and exit 64.</summary>
    Invalid,
}
