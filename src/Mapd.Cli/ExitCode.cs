namespace Mapd.Cli;

/// <summary>mapctl's exit codes: one per class of failure, so scripts can tell them apart.</summary>
internal static class ExitCode
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>The daemon refused the request (not found, already exists, permission denied...).</summary>
    public const int Refused = 1;

    /// <summary>The command line is wrong; nothing was sent to the daemon.</summary>
    public const int Usage = 2;

    /// <summary>The daemon could not be reached, or is shutting down.</summary>
    public const int Unreachable = 3;

    /// <summary>Interrupted by SIGINT, as shells report it (128 + 2).</summary>
    public const int Interrupted = 130;
}
