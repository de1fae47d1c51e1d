using System.Buffers;
using System.Text;
using System.Text.Json;
using Mapd.Cli.Daemon;

namespace Mapd.Cli.Output;

/// <summary>
/// <c>--json</c> output. Field names are the proto's snake_case names and stay stable for
/// scripts: <c>name, size, generation, owner_uid, gid, mode, pending_size, created_at, mappers</c>.
/// Sizes are JSON numbers in bytes, <c>mode</c> is an octal string such as <c>"0640"</c>, and
/// times are RFC 3339 in UTC (null if the daemon sent none). <c>ls</c> prints
/// <c>{"regions": [...]}</c>, the shape of <c>ListResponse</c>, so fields can be added later.
/// <c>stat</c> adds <c>max_size</c> (0 = no hint), <c>mapper_details</c>
/// (<c>[{pid, uid, generation, since, blocking}]</c>; <c>mappers</c> stays the count) and
/// <c>pending_shrink</c> (<c>{generation, since, age_seconds, hole_punched, recovering}</c>, null when none).
/// </summary>
internal static class RegionJson
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    /// <summary>One region as a JSON object, with a final newline.</summary>
    public static string Render(RegionInfo region) => Write(Indented, writer => WriteRegion(writer, region));

    /// <summary>
    /// <c>stat</c>'s object: the region's fields, then its details. <c>age_seconds</c> counts to
    /// <paramref name="now"/>, in milliseconds' precision.
    /// </summary>
    public static string Render(RegionStatus status, DateTimeOffset now) => Write(Indented, writer =>
    {
        writer.WriteStartObject();
        WriteRegionFields(writer, status.Region);
        writer.WriteNumber("max_size", status.MaxSize);
        writer.WriteStartArray("mapper_details");
        foreach (var mapper in status.MapperDetails)
        {
            writer.WriteStartObject();
            writer.WriteNumber("pid", mapper.Pid);
            writer.WriteNumber("uid", mapper.Uid);
            writer.WriteNumber("generation", mapper.Generation);
            WriteTime(writer, "since", mapper.Since);
            writer.WriteBoolean("blocking", mapper.Blocking);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (status.PendingShrink is { } shrink)
        {
            writer.WriteStartObject("pending_shrink");
            writer.WriteNumber("generation", shrink.Generation);
            WriteTime(writer, "since", shrink.Since);
            if (shrink.Since == default)
            {
                writer.WriteNull("age_seconds");
            }
            else
            {
                writer.WriteNumber("age_seconds", Math.Round(Math.Max((now - shrink.Since).TotalSeconds, 0), 3));
            }

            writer.WriteBoolean("hole_punched", shrink.HolePunched);
            writer.WriteBoolean("recovering", shrink.Recovering);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("pending_shrink");
        }

        writer.WriteEndObject();
    });

    /// <summary>Every region, in name order, as <c>{"regions": [...]}</c>, with a final newline.</summary>
    public static string Render(IEnumerable<RegionInfo> regions) => Write(Indented, writer =>
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

    /// <summary>Runs <paramref name="body"/> on a writer and returns what it wrote, with a final newline.</summary>
    internal static string Write(JsonWriterOptions options, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            body(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    /// <summary>A region as an object with the fields <c>ls --json</c> prints.</summary>
    internal static void WriteRegion(Utf8JsonWriter writer, RegionInfo region)
    {
        writer.WriteStartObject();
        WriteRegionFields(writer, region);
        writer.WriteEndObject();
    }

    /// <summary>RFC 3339 in UTC with the fractions there are, or null when the daemon sent none.</summary>
    internal static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset time)
    {
        if (RegionText.Timestamp(time, fractions: true) is { } text)
        {
            writer.WriteString(name, text);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteRegionFields(Utf8JsonWriter writer, RegionInfo region)
    {
        writer.WriteString("name", region.Name);
        writer.WriteNumber("size", region.Size);
        writer.WriteNumber("generation", region.Generation);
        writer.WriteNumber("owner_uid", region.OwnerUid);
        writer.WriteNumber("gid", region.Gid);
        writer.WriteString("mode", PermissionMode.Format(region.Mode));
        writer.WriteNumber("pending_size", region.PendingSize);
        WriteTime(writer, "created_at", region.CreatedAt);
        writer.WriteNumber("mappers", region.Mappers);
    }
}
