using System.Globalization;
using System.Text.Json;
using Mapd.Cli.Daemon;

namespace Mapd.Cli.Output;

/// <summary>
/// <c>mapctl watch</c>'s lines, one per event, stamped with the UTC time mapctl received it:
/// <c>22:16:03.250 RESIZED orders size=128M pending=0 generation=3</c>, or with <c>--json</c> one
/// compact object per line, <c>{"time": RFC 3339, "kind": "RESIZED", "region": {as in ls --json}}</c>.
/// </summary>
internal static class WatchLine
{
    private static readonly JsonWriterOptions Compact = new() { Indented = false };

    /// <summary>The human line, with its newline. Sizes are exact in mapctl's notation, <c>pending=0</c> when no shrink waits.</summary>
    public static string Render(WatchEvent watchEvent, DateTimeOffset received)
    {
        var region = watchEvent.Region;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{received.UtcDateTime:HH:mm:ss.fff} {watchEvent.Kind} {region.Name} size={RegionText.Size(region.Size)} pending={RegionText.Size(region.PendingSize)} generation={region.Generation}\n");
    }

    /// <summary>The JSON line, with its newline.</summary>
    public static string RenderJson(WatchEvent watchEvent, DateTimeOffset received) => RegionJson.Write(Compact, writer =>
    {
        writer.WriteStartObject();
        RegionJson.WriteTime(writer, "time", received);
        writer.WriteString("kind", watchEvent.Kind);
        writer.WritePropertyName("region");
        RegionJson.WriteRegion(writer, watchEvent.Region);
        writer.WriteEndObject();
    });
}
