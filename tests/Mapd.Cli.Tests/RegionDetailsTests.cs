namespace Mapd.Cli.Tests;

public class RegionDetailsTests
{
    private static Dictionary<string, string> Fields(string text)
    {
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        return text[..^1].Split('\n').Select(line =>
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            return (Key: line[..colon], Value: line[(colon + 1)..].TrimStart());
        }).ToDictionary(f => f.Key, f => f.Value);
    }

    [Fact]
    public void Every_field_is_a_key_value_line_named_as_in_json()
    {
        var fields = Fields(RegionDetails.Render(Regions.Make(), Regions.Accounts()));

        Assert.Equal(["name", "size", "pending_size", "generation", "mode", "owner_uid", "gid", "mappers", "created_at"], fields.Keys);
    }

    [Fact]
    public void Values_read_for_humans_and_keep_exact_numbers()
    {
        var region = Regions.Make("orders", size: 64L << 20, generation: 7, ownerUid: 1000, gid: 1001, mode: 0x1A0, mappers: 2);

        var fields = Fields(RegionDetails.Render(region, Regions.Accounts()));

        Assert.Equal("orders", fields["name"]);
        Assert.Equal("64M (67108864 bytes)", fields["size"]);
        Assert.Equal("none", fields["pending_size"]);
        Assert.Equal("7", fields["generation"]);
        Assert.Equal("0640", fields["mode"]);
        Assert.Equal("1000 (alice)", fields["owner_uid"]);
        Assert.Equal("1001 (staff)", fields["gid"]);
        Assert.Equal("2", fields["mappers"]);
        Assert.Equal("2025-11-25T22:16:03Z", fields["created_at"]);
    }

    [Fact]
    public void Small_sizes_pending_shrinks_unknown_ids_and_missing_timestamps()
    {
        var region = Regions.Make(size: 100, pendingSize: 1L << 20, ownerUid: 77, gid: 88, createdAt: default(DateTimeOffset));

        var fields = Fields(RegionDetails.Render(region, Regions.Accounts()));

        Assert.Equal("100", fields["size"]);
        Assert.Equal("1025", Fields(RegionDetails.Render(Regions.Make(size: 1025), Regions.Accounts()))["size"]);
        Assert.Equal("1M (1048576 bytes)", fields["pending_size"]);
        Assert.Equal("77 (77)", fields["owner_uid"]);
        Assert.Equal("88 (88)", fields["gid"]);
        Assert.Equal("unknown", fields["created_at"]);
    }

    [Fact]
    public void Values_are_aligned()
    {
        var lines = RegionDetails.Render(Regions.Make(), Regions.Accounts()).TrimEnd('\n').Split('\n');

        var starts = lines.Select(l => l.IndexOf(' ', StringComparison.Ordinal) + l[l.IndexOf(' ', StringComparison.Ordinal)..].TakeWhile(c => c == ' ').Count()).Distinct();
        Assert.Single(starts);
    }
}
