using System.Globalization;
using System.Text.Json;
using Mapd.Cli.Daemon;

namespace Mapd.Cli.Output;

/// <summary>
/// <c>mapctl sessions</c>: a table <c>ID PID UID REGIONS UNREAD SINCE</c>, oldest session first,
/// or with <c>--json</c> <c>{"sessions": [{id_prefix, pid, uid, regions, since, unread_fds}]}</c>,
/// the shape of <c>ListSessionsResponse</c>.
/// </summary>
internal static class SessionTable
{
    /// <summary>The widest the REGIONS cell gets; <c>--json</c> lists every name.</summary>
    public const int RegionsWidth = 40;

    private static readonly string[] Header = ["ID", "PID", "UID", "REGIONS", "UNREAD", "SINCE"];

    private static readonly bool[] RightAligned = [false, true, false, false, true, false];

    /// <summary>The table, header first unless <paramref name="withHeader"/> is false, each line ending in a newline.</summary>
    public static string Render(IEnumerable<SessionSummary> sessions, AccountNames accounts, bool withHeader = true) =>
        TextTable.Render(Header, RightAligned, Ordered(sessions).Select(s => new[]
        {
            s.IdPrefix,
            s.Pid.ToString(CultureInfo.InvariantCulture),
            $"{s.Uid.ToString(CultureInfo.InvariantCulture)} ({accounts.User(s.Uid)})",
            Regions(s.Regions),
            s.UnreadFds.ToString(CultureInfo.InvariantCulture),
            RegionText.Timestamp(s.Since, fractions: false) ?? "unknown",
        }),
        withHeader);

    /// <summary>The sessions as JSON, oldest first, with a final newline.</summary>
    public static string RenderJson(IEnumerable<SessionSummary> sessions) => RegionJson.Write(new JsonWriterOptions { Indented = true }, writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("sessions");
        foreach (var session in Ordered(sessions))
        {
            writer.WriteStartObject();
            writer.WriteString("id_prefix", session.IdPrefix);
            writer.WriteNumber("pid", session.Pid);
            writer.WriteNumber("uid", session.Uid);
            writer.WriteStartArray("regions");
            foreach (var region in session.Regions)
            {
                writer.WriteStringValue(region);
            }

            writer.WriteEndArray();
            RegionJson.WriteTime(writer, "since", session.Since);
            writer.WriteNumber("unread_fds", session.UnreadFds);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    /// <summary>
    /// The names comma-joined in name order, at most <see cref="RegionsWidth"/> characters: as many
    /// whole names as fit, then <c>+N more</c>; a first name too long on its own is cut with
    /// <c>...</c>. <c>-</c> when the session maps nothing.
    /// </summary>
    public static string Regions(IReadOnlyList<string> names)
    {
        if (names.Count == 0)
        {
            return "-";
        }

        var sorted = names.Order(StringComparer.Ordinal).ToArray();
        for (var shown = sorted.Length; shown > 0; shown--)
        {
            var text = string.Join(',', sorted[..shown]) + More(sorted.Length - shown);
            if (text.Length <= RegionsWidth)
            {
                return text;
            }
        }

        var more = More(sorted.Length - 1);
        return sorted[0][..(RegionsWidth - more.Length - 3)] + "..." + more;
    }

    private static string More(int hidden) => hidden == 0 ? "" : $",+{hidden.ToString(CultureInfo.InvariantCulture)} more";

    private static IEnumerable<SessionSummary> Ordered(IEnumerable<SessionSummary> sessions) =>
        sessions.OrderBy(s => s.Since).ThenBy(s => s.IdPrefix, StringComparer.Ordinal);
}
