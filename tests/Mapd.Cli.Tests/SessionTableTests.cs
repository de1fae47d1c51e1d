using System.Text.Json;

namespace Mapd.Cli.Tests;

public class SessionTableTests
{
    private static string[] Lines(string table)
    {
        Assert.EndsWith("\n", table, StringComparison.Ordinal);
        return table[..^1].Split('\n');
    }

    [Fact]
    public void The_table_has_the_columns_in_order_and_one_session_per_row_oldest_first()
    {
        var table = SessionTable.Render(
            [
                Regions.Session("bbbbbbbb", pid: 31337, uid: 0, regions: ["prices", "orders"], since: Regions.Created.AddMinutes(1), unread: 12),
                Regions.Session("aaaaaaaa", pid: 7, uid: 1000, regions: [], since: Regions.Created),
            ],
            Regions.Accounts());

        Assert.Equal(
            """
            ID          PID  UID           REGIONS        UNREAD  SINCE
            aaaaaaaa      7  1000 (alice)  -                   0  2025-11-25T22:16:03Z
            bbbbbbbb  31337  0 (root)      orders,prices      12  2025-11-25T22:17:03Z

            """,
            table);
    }

    [Fact]
    public void No_sessions_print_only_the_header()
    {
        Assert.Equal(["ID", "PID", "UID", "REGIONS", "UNREAD", "SINCE"], Lines(SessionTable.Render([], Regions.Accounts())).Single().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Regions_are_joined_in_name_order()
    {
        Assert.Equal("-", SessionTable.Regions([]));
        Assert.Equal("a", SessionTable.Regions(["a"]));
        Assert.Equal("a,b,c", SessionTable.Regions(["c", "a", "b"]));
    }

    [Fact]
    public void Many_regions_show_what_fits_then_how_many_more()
    {
        string[] names = [.. Enumerable.Range(0, 20).Select(i => $"region-{i:00}")];

        var text = SessionTable.Regions(names);

        // Three 9-character names and their commas, then ",+17 more": 29 + 9 = 38 characters.
        Assert.Equal("region-00,region-01,region-02,+17 more", text);
        Assert.True(text.Length <= SessionTable.RegionsWidth);
    }

    [Fact]
    public void A_list_that_fits_exactly_is_not_cut()
    {
        string[] names = ["aaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbb"]; // 19 + 1 + 20 = 40

        Assert.Equal("aaaaaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbbbbbb", SessionTable.Regions(names));
        Assert.Equal("aaaaaaaaaaaaaaaaaaa,+2 more", SessionTable.Regions([.. names, "cccccccccccccccccccccc"]));
    }

    [Fact]
    public void A_first_name_too_long_alone_is_cut_with_dots()
    {
        var longName = new string('x', 200);

        Assert.Equal(new string('x', 37) + "...", SessionTable.Regions([longName]));
        Assert.Equal(new string('x', 29) + "...,+1 more", SessionTable.Regions([longName, "y" + longName]));
        Assert.All(new[] { SessionTable.Regions([longName]), SessionTable.Regions([longName, "y" + longName]) }, t => Assert.Equal(SessionTable.RegionsWidth, t.Length));
    }

    [Fact]
    public void Json_has_the_shape_of_ListSessionsResponse_with_every_region()
    {
        string[] many = [.. Enumerable.Range(0, 20).Select(i => $"region-{i:00}")];
        var text = SessionTable.RenderJson(
            [
                Regions.Session("bbbbbbbb", pid: 2, uid: 0, regions: many, since: Regions.Created.AddMinutes(1), unread: 3),
                Regions.Session("aaaaaaaa", pid: 1, since: default(DateTimeOffset)),
            ]);

        using var json = JsonDocument.Parse(text);
        Assert.Equal(["sessions"], json.RootElement.EnumerateObject().Select(p => p.Name));
        var sessions = json.RootElement.GetProperty("sessions").EnumerateArray().ToArray();
        Assert.All(sessions, s => Assert.Equal(["id_prefix", "pid", "uid", "regions", "since", "unread_fds"], s.EnumerateObject().Select(p => p.Name)));

        // The unknown start sorts first, as the oldest.
        Assert.Equal("aaaaaaaa", sessions[0].GetProperty("id_prefix").GetString());
        Assert.Equal(JsonValueKind.Null, sessions[0].GetProperty("since").ValueKind);
        Assert.Equal(["orders"], sessions[0].GetProperty("regions").EnumerateArray().Select(r => r.GetString()));

        Assert.Equal(2, sessions[1].GetProperty("pid").GetInt32());
        Assert.Equal(0u, sessions[1].GetProperty("uid").GetUInt32());
        Assert.Equal(many, sessions[1].GetProperty("regions").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("2025-11-25T22:17:03.25Z", sessions[1].GetProperty("since").GetString());
        Assert.Equal(3, sessions[1].GetProperty("unread_fds").GetInt32());
    }
}
