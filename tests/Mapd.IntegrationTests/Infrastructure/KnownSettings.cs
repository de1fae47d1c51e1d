namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>The configuration keys the daemon reads (DESIGN.md's contract plus documented extras), as environment variables.</summary>
public static class KnownSettings
{
    /// <summary>Every <c>Mapd__...</c> environment variable the daemon understands.</summary>
    public static IReadOnlySet<string> EnvironmentVariables { get; } = new[]
    {
        "Mapd:SocketDirectory", "Mapd:SocketMode", "Mapd:SocketGroup",
        "Mapd:Storage:Path", "Mapd:Storage:Mount", "Mapd:Storage:Size", "Mapd:Storage:HugePages",
        "Mapd:Grace:Timeout", "Mapd:Grace:RecoveryWindow",
        "Mapd:Limits:MaxRegions", "Mapd:Limits:MaxRegionSize", "Mapd:Limits:MaxUnreadFds", "Mapd:Limits:MaxSessions",
        "Mapd:Metrics:Url", "Mapd:Metrics:PerRegion", "Mapd:Metrics:MaxRegionSeries",
    }.Select(k => k.Replace(":", "__", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
}
