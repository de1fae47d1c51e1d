using System.Globalization;
using System.Text;
using Mapd.Cli.Daemon;

namespace Mapd.Cli.Output;

/// <summary>
/// <c>mapctl stat</c>'s human output: one <c>key: value</c> line per field, keys named as in
/// <c>--json</c> so that what an operator reads is what a script greps for; <c>max_size</c> and
/// <c>pending_shrink</c> only when there is one. When sessions map the region, a blank line and
/// a table of them follow: <c>PID UID GENERATION SINCE AGE BLOCKING</c>, oldest first.
/// </summary>
internal static class RegionDetails
{
    private static readonly string[] MapperHeader = ["PID", "UID", "GENERATION", "SINCE", "AGE", "BLOCKING"];

    private static readonly bool[] MapperRightAligned = [true, false, true, false, true, false];

    /// <summary>The lines, each ending in a newline, values aligned; ages are counted to <paramref name="now"/>.</summary>
    public static string Render(RegionStatus status, AccountNames accounts, DateTimeOffset now)
    {
        var region = status.Region;
        var fields = new List<(string Key, string Value)>
        {
            ("name", region.Name),
            ("size", RegionText.Bytes(region.Size)),
            ("pending_size", region.PendingSize == 0 ? "none" : RegionText.Bytes(region.PendingSize)),
        };
        if (status.PendingShrink is { } shrink)
        {
            fields.Add(("pending_shrink", PendingShrink(shrink, now)));
        }

        if (status.MaxSize != 0)
        {
            fields.Add(("max_size", RegionText.Bytes(status.MaxSize)));
        }

        fields.AddRange(
        [
            ("generation", region.Generation.ToString(CultureInfo.InvariantCulture)),
            ("mode", PermissionMode.Format(region.Mode)),
            ("owner_uid", Uid(region.OwnerUid, accounts)),
            ("gid", $"{region.Gid.ToString(CultureInfo.InvariantCulture)} ({accounts.Group(region.Gid)})"),
            ("mappers", region.Mappers.ToString(CultureInfo.InvariantCulture)),
            ("created_at", RegionText.Timestamp(region.CreatedAt, fractions: false) ?? "unknown"),
        ]);

        var width = fields.Max(f => f.Key.Length) + 1;
        var text = new StringBuilder();
        foreach (var (key, value) in fields)
        {
            text.Append((key + ":").PadRight(width)).Append(' ').Append(value).Append('\n');
        }

        if (status.MapperDetails.Count > 0)
        {
            text.Append('\n').Append(TextTable.Render(MapperHeader, MapperRightAligned, status.MapperDetails
                .OrderBy(m => m.Since)
                .ThenBy(m => m.Pid)
                .Select(m => new[]
                {
                    m.Pid.ToString(CultureInfo.InvariantCulture),
                    Uid(m.Uid, accounts),
                    m.Generation.ToString(CultureInfo.InvariantCulture),
                    RegionText.Timestamp(m.Since, fractions: false) ?? "unknown",
                    m.Since == default ? "-" : RegionText.Age(now - m.Since),
                    RegionText.YesNo(m.Blocking),
                })));
        }

        return text.ToString();
    }

    /// <summary><c>generation 3, since 2025-11-25T22:16:03Z (12.3s ago), hole punched: no, recovering: no</c>.</summary>
    private static string PendingShrink(PendingShrinkStatus shrink, DateTimeOffset now) =>
        $"generation {shrink.Generation.ToString(CultureInfo.InvariantCulture)}, since {RegionText.TimeAndAge(shrink.Since, now)}, " +
        $"hole punched: {RegionText.YesNo(shrink.HolePunched)}, recovering: {RegionText.YesNo(shrink.Recovering)}";

    private static string Uid(uint uid, AccountNames accounts) => $"{uid.ToString(CultureInfo.InvariantCulture)} ({accounts.User(uid)})";
}
