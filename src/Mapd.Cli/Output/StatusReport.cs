using System.Globalization;
using System.Text;
using System.Text.Json;
using Mapd.Cli.Daemon;

namespace Mapd.Cli.Output;

/// <summary>
/// <c>mapctl status</c>: one <c>key: value</c> line per fact about the daemon, or with <c>--json</c>
/// the fields of <c>StatusResponse</c> under their proto names plus <c>uptime_seconds</c>.
/// </summary>
internal static class StatusReport
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    /// <summary>The lines, values aligned, each ending in a newline; the uptime counts to <paramref name="now"/>.</summary>
    public static string Render(DaemonStatus status, DateTimeOffset now)
    {
        var used = status.CapacityBytes == 0
            ? RegionText.Bytes(Clamp(status.UsedBytes))
            : string.Create(CultureInfo.InvariantCulture, $"{RegionText.Bytes(Clamp(status.UsedBytes))}, {100.0 * status.UsedBytes / status.CapacityBytes:0.0}% of capacity");
        (string Key, string Value)[] fields =
        [
            ("version", status.Version.Length == 0 ? "unknown" : status.Version),
            ("uptime", status.StartedAt == default ? "unknown" : $"{RegionText.Age(now - status.StartedAt)} (since {RegionText.Timestamp(status.StartedAt, fractions: false)})"),
            ("capacity", RegionText.Bytes(Clamp(status.CapacityBytes))),
            ("used", used),
            ("regions", status.Regions.ToString(CultureInfo.InvariantCulture)),
            ("sessions", status.Sessions.ToString(CultureInfo.InvariantCulture)),
            ("pending_shrinks", status.PendingShrinks.ToString(CultureInfo.InvariantCulture)),
            ("health", status.HealthDetail.Length == 0 ? status.Health : $"{status.Health}: {status.HealthDetail}"),
            ("storage_path", status.StoragePath),
        ];
        var width = fields.Max(f => f.Key.Length) + 1;
        var text = new StringBuilder();
        foreach (var (key, value) in fields)
        {
            text.Append((key + ":").PadRight(width)).Append(' ').Append(value).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The JSON object, with a final newline; <c>uptime_seconds</c> counts to <paramref name="now"/> (null when the daemon sent no start time).</summary>
    public static string RenderJson(DaemonStatus status, DateTimeOffset now) => RegionJson.Write(Indented, writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("version", status.Version);
        RegionJson.WriteTime(writer, "started_at", status.StartedAt);
        if (status.StartedAt == default)
        {
            writer.WriteNull("uptime_seconds");
        }
        else
        {
            writer.WriteNumber("uptime_seconds", Math.Round(Math.Max((now - status.StartedAt).TotalSeconds, 0), 3));
        }

        writer.WriteNumber("capacity_bytes", status.CapacityBytes);
        writer.WriteNumber("used_bytes", status.UsedBytes);
        writer.WriteNumber("regions", status.Regions);
        writer.WriteNumber("sessions", status.Sessions);
        writer.WriteNumber("pending_shrinks", status.PendingShrinks);
        writer.WriteString("health", status.Health);
        writer.WriteString("health_detail", status.HealthDetail);
        writer.WriteString("storage_path", status.StoragePath);
        writer.WriteEndObject();
    });

    private static long Clamp(ulong bytes) => (long)Math.Min(bytes, long.MaxValue);
}
