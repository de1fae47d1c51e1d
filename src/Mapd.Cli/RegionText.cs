using System.Globalization;

namespace Mapd.Cli;

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

    /// <summary>The size, and where a pending shrink takes it: <c>64M</c> or <c>64M-&gt;32M</c>.</summary>
    public static string SizeAndPending(RegionInfo region) =>
        region.PendingSize == 0 ? Size(region.Size) : $"{Size(region.Size)}->{Size(region.PendingSize)}";

    /// <summary>RFC 3339 in UTC, as protobuf's JSON mapping writes a Timestamp; null when the daemon sent none.</summary>
    public static string? Timestamp(DateTimeOffset time, bool fractions) =>
        time == default
            ? null
            : time.UtcDateTime.ToString(fractions ? "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'" : "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
