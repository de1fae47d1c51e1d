using System.Globalization;
using System.Text;

namespace Mapd.Cli;

/// <summary>
/// <c>mapctl stat</c>'s human output: one <c>key: value</c> line per field, keys named as in
/// <c>--json</c> so that what an operator reads is what a script greps for.
/// </summary>
internal static class RegionDetails
{
    /// <summary>The lines, each ending in a newline, values aligned.</summary>
    public static string Render(RegionInfo region, AccountNames accounts)
    {
        (string Key, string Value)[] fields =
        [
            ("name", region.Name),
            ("size", Bytes(region.Size)),
            ("pending_size", region.PendingSize == 0 ? "none" : Bytes(region.PendingSize)),
            ("generation", region.Generation.ToString(CultureInfo.InvariantCulture)),
            ("mode", PermissionBits.Format(region.Mode)),
            ("owner_uid", $"{region.OwnerUid.ToString(CultureInfo.InvariantCulture)} ({accounts.User(region.OwnerUid)})"),
            ("gid", $"{region.Gid.ToString(CultureInfo.InvariantCulture)} ({accounts.Group(region.Gid)})"),
            ("mappers", region.Mappers.ToString(CultureInfo.InvariantCulture)),
            ("created_at", RegionText.Timestamp(region.CreatedAt, fractions: false) ?? "unknown"),
        ];

        var width = fields.Max(f => f.Key.Length) + 1;
        var text = new StringBuilder();
        foreach (var (key, value) in fields)
        {
            text.Append((key + ":").PadRight(width)).Append(' ').Append(value).Append('\n');
        }

        return text.ToString();
    }

    private static string Bytes(long bytes)
    {
        var exact = bytes.ToString(CultureInfo.InvariantCulture);
        var human = RegionText.Size(bytes);
        return human == exact ? exact : $"{human} ({exact} bytes)";
    }
}
