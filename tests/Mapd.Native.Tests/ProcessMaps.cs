using System.Globalization;

namespace Mapd.Native.Tests;

/// <summary>What /proc/self/maps says about an address range: the kernel's own view of this process's mappings.</summary>
public static class ProcessMaps
{
    /// <summary>One line of /proc/self/maps.</summary>
    public readonly record struct Area(long Start, long End, string Permissions, string Path);

    /// <summary>The areas overlapping [start, end).</summary>
    public static IReadOnlyList<Area> Overlapping(nint start, long length)
    {
        var from = (long)start;
        var to = from + length;
        var areas = new List<Area>();
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            var range = fields[0].Split('-');
            var areaStart = long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var areaEnd = long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (areaStart < to && areaEnd > from)
            {
                areas.Add(new Area(areaStart, areaEnd, fields[1], fields.Length > 5 ? fields[5].Trim() : ""));
            }
        }

        return areas;
    }

    /// <summary>The permissions ("rw-s", "---p", ...) of the area holding <paramref name="address"/>, or null when unmapped.</summary>
    public static string? PermissionsAt(nint address) =>
        Overlapping(address, 1) is [var area] ? area.Permissions : null;
}
