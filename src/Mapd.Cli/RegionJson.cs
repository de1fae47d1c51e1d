using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Mapd.Cli;

/// <summary>
/// <c>--json</c> output. Field names are the proto's snake_case names and stay stable for
/// scripts: <c>name, size, generation, owner_uid, gid, mode, pending_size, created_at, mappers</c>.
/// Sizes are JSON numbers in bytes, <c>mode</c> is an octal string such as <c>"0640"</c>, and
/// <c>created_at</c> is RFC 3339 in UTC (null if the daemon sent none). <c>ls</c> prints
/// <c>{"regions": [...]}</c>, the shape of <c>ListResponse</c>, so fields can be added later.
/// </summary>
internal static class RegionJson
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    /// <summary>One region as a JSON object, with a final newline.</summary>
    public static string Render(RegionInfo region) => Write(writer => WriteRegion(writer, region));

    /// <summary>Every region, in name order, as <c>{"regions": [...]}</c>, with a final newline.</summary>
    public static string Render(IEnumerable<RegionInfo> regions) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("regions");
        foreach (var region in regions.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            WriteRegion(writer, region);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    private static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Indented))
        {
            body(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    private static void WriteRegion(Utf8JsonWriter writer, RegionInfo region)
    {
        writer.WriteStartObject();
        writer.WriteString("name", region.Name);
        writer.WriteNumber("size", region.Size);
        writer.WriteNumber("generation", region.Generation);
        writer.WriteNumber("owner_uid", region.OwnerUid);
        writer.WriteNumber("gid", region.Gid);
        writer.WriteString("mode", PermissionBits.Format(region.Mode));
        writer.WriteNumber("pending_size", region.PendingSize);
        if (RegionText.Timestamp(region.CreatedAt, fractions: true) is { } created)
        {
            writer.WriteString("created_at", created);
        }
        else
        {
            writer.WriteNull("created_at");
        }

        writer.WriteNumber("mappers", region.Mappers);
        writer.WriteEndObject();
    }
}
