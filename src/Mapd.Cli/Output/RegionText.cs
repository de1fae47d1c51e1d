using System.Globalization;

namespace Mapd.Cli.Output;

/// <summary>How a region's fields read in human output, shared by <c>ls</c>, <c>stat</c> and the confirmations.</summary>
internal static class RegionText
{
    /// <summary>
    /// A size in the notation mapctl accepts, and exact: <c>64M</c>, <c>1.5G</c>, but <c>4097</c>
    /// rather than ByteSize's rounded <c>4K</c>, so that any size shown can be typed back into
    /// <c>create</c> or <c>resize</c> and mean the same bytes.
    /// </summary>
    public static string Size(long bytes)
    {
        var text = ByteSize.Format((ulong)bytes);
        return ByteSize.TryParse(text, out var exact) && exact == (ulong)bytes ? text : bytes.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A size for a <c>key: value</c> line: <c>16M (16777216 bytes)</c>, or just the number when that is all mapctl's notation would say.</summary>
    public static string Bytes(long bytes)
    {
        var exact = bytes.ToString(CultureInfo.InvariantCulture);
        var human = Size(bytes);
        return human == exact ? exact : $"{human} ({exact} bytes)";
    }

    /// <summary>The size, and where a pending shrink takes it: <c>64M</c> or <c>64M-&gt;32M</c>.</summary>
    public static string SizeAndPending(RegionInfo region) =>
        region.PendingSize == 0 ? Size(region.Size) : $"{Size(region.Size)}->{Size(region.PendingSize)}";

    /// <summary>RFC 3339 in UTC, as protobuf's JSON mapping writes a Timestamp; null when the daemon sent none.</summary>
    public static string? Timestamp(DateTimeOffset time, bool fractions) =>
        time == default
            ? null
            : time.UtcDateTime.ToString(fractions ? "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'" : "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// How long ago, short enough for a column: <c>12.3s</c> under a minute (tenths truncated, so
    /// 59.99 s is still <c>59.9s</c>), then <c>4m05s</c>, <c>2h03m</c>, <c>3d04h</c>. A time in the
    /// future (clocks stepped between the daemon's reading and ours) is <c>0.0s</c>.
    /// </summary>
    public static string Age(TimeSpan age)
    {
        var ticks = Math.Max(age.Ticks, 0);
        if (ticks < TimeSpan.TicksPerMinute)
        {
            var tenths = ticks / (TimeSpan.TicksPerSecond / 10);
            return string.Create(CultureInfo.InvariantCulture, $"{tenths / 10}.{tenths % 10}s");
        }

        var whole = TimeSpan.FromTicks(ticks);
        return whole.TotalHours < 1 ? string.Create(CultureInfo.InvariantCulture, $"{whole.Minutes}m{whole.Seconds:00}s")
            : whole.TotalDays < 1 ? string.Create(CultureInfo.InvariantCulture, $"{whole.Hours}h{whole.Minutes:00}m")
            : string.Create(CultureInfo.InvariantCulture, $"{whole.Days}d{whole.Hours:00}h");
    }

    /// <summary>A past time for humans: <c>2025-11-25T22:16:03Z (12.3s ago)</c>, or <c>unknown</c> when the daemon sent none.</summary>
    public static string TimeAndAge(DateTimeOffset time, DateTimeOffset now) =>
        Timestamp(time, fractions: false) is { } text ? $"{text} ({Age(now - time)} ago)" : "unknown";

    /// <summary><c>yes</c> or <c>no</c>.</summary>
    public static string YesNo(bool value) => value ? "yes" : "no";
}
