using Microsoft.Extensions.Hosting.Systemd;

namespace Mapd.Server.Hosting;

/// <summary>Whether the daemon's output goes to journald, which reads <c>&lt;N&gt;</c> syslog priority prefixes.</summary>
public static class JournalOutput
{
    /// <summary>True under systemd, or wherever systemd set <c>JOURNAL_STREAM</c>.</summary>
    public static bool IsActive =>
        SystemdHelpers.IsSystemdService() || Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not null;
}
