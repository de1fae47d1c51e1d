namespace Mapd.Server.Errors;

/// <summary>
/// What the daemon's exit status tells systemd and operators. The numbers are BSD sysexits,
/// so <c>systemctl status</c> names them (<c>status=78/CONFIG</c>), and mapd.service's
/// <c>RestartPreventExitStatus=</c> names the two that a restart cannot cure.
/// </summary>
public enum ExitCode
{
    /// <summary>Stopped as asked.</summary>
    Success = 0,

    /// <summary>The command line is wrong (EX_USAGE).</summary>
    Usage = 64,

    /// <summary>A socket or port is taken by another process, which may go away (EX_UNAVAILABLE): systemd may retry.</summary>
    Unavailable = 69,

    /// <summary>A bug: an exception nobody expected (EX_SOFTWARE): systemd may retry.</summary>
    Software = 70,

    /// <summary>The storage cannot be used: not tmpfs, not the daemon's, locked by another mapd, cannot be mounted (EX_CANTCREAT).</summary>
    Storage = 73,

    /// <summary>A setting is malformed or contradictory (EX_CONFIG).</summary>
    Configuration = 78,
}
