using System.Text.Json;

namespace Mapd.Cli.Tests;

public class RegionJsonTests
{
    private static readonly string[] FieldNames = ["name", "size", "generation", "owner_uid", "gid", "mode", "pending_size", "created_at", "mappers"];

    [Fact]
    public void A_region_has_the_protos_snake_case_fields_with_their_values()
    {
        var region = Regions.Make("orders", size: 5L << 40, generation: 9, ownerUid: 1000, gid: 1001, mode: 0x1A0, pendingSize: 1L << 40, mappers: 4);

        var text = RegionJson.Render(region);

        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        Assert.Equal(FieldNames, root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("orders", root.GetProperty("name").GetString());
        Assert.Equal(5L << 40, root.GetProperty("size").GetInt64());
        Assert.Equal(9UL, root.GetProperty("generation").GetUInt64());
        Assert.Equal(1000u, root.GetProperty("owner_uid").GetUInt32());
        Assert.Equal(1001u, root.GetProperty("gid").GetUInt32());
        Assert.Equal("0640", root.GetProperty("mode").GetString());
        Assert.Equal(1L << 40, root.GetProperty("pending_size").GetInt64());
        Assert.Equal("2025-11-25T22:16:03.25Z", root.GetProperty("created_at").GetString());
        Assert.Equal(4, root.GetProperty("mappers").GetInt32());
    }

    [Fact]
    public void Created_at_round_trips_and_is_null_when_unknown()
    {
        using var known = JsonDocument.Parse(RegionJson.Render(Regions.Make()));
        using var unknown = JsonDocument.Parse(RegionJson.Render(Regions.Make(createdAt: default(DateTimeOffset))));

        Assert.Equal(Regions.Created, known.RootElement.GetProperty("created_at").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, unknown.RootElement.GetProperty("created_at").ValueKind);
    }

    [Fact]
    public void Mode_keeps_leading_zeros()
    {
        using var json = JsonDocument.Parse(RegionJson.Render(Regions.Make(mode: 0x7)));

        Assert.Equal("0007", json.RootElement.GetProperty("mode").GetString());
    }

    [Fact]
    public void A_list_is_the_shape_of_ListResponse_in_name_order()
    {
        var text = RegionJson.Render([Regions.Make("b", size: 2), Regions.Make("a", size: 1), Regions.Make("c", size: 3)]);

        using var json = JsonDocument.Parse(text);
        var regions = json.RootElement.GetProperty("regions");
        Assert.Equal(["regions"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["a", "b", "c"], regions.EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        Assert.Equal([1L, 2L, 3L], regions.EnumerateArray().Select(r => r.GetProperty("size").GetInt64()));
        Assert.All(regions.EnumerateArray(), r => Assert.Equal(FieldNames, r.EnumerateObject().Select(p => p.Name)));
    }

    [Fact]
    public void An_empty_list_is_an_empty_array()
    {
        using var json = JsonDocument.Parse(RegionJson.Render(Array.Empty<RegionInfo>()));

        Assert.Equal(0, json.RootElement.GetProperty("regions").GetArrayLength());
    }
}
