using System.Reflection;

namespace Mapd.Server.Hosting;

/// <summary>Facts about this daemon process that operators ask for: its version, when it started, where its storage is.</summary>
/// <param name="StartedAt">When the daemon started.</param>
/// <param name="StoragePath">The storage directory.</param>
public sealed record DaemonInfo(DateTimeOffset StartedAt, string StoragePath)
{
    /// <summary>The daemon's version, with the commit it was built from when the build knew it.</summary>
    public static string Version { get; } =
        typeof(DaemonInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(DaemonInfo).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
