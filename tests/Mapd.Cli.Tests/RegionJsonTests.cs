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

    [Fact]
    public void Stat_adds_max_size_mapper_details_and_the_pending_shrink_after_the_region_fields()
    {
        var text = RegionJson.Render(Regions.Shrinking(), Regions.Now);

        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        Assert.Equal([.. FieldNames, "max_size", "mapper_details", "pending_shrink"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, root.GetProperty("mappers").GetInt32());
        Assert.Equal(1L << 30, root.GetProperty("max_size").GetInt64());

        var mappers = root.GetProperty("mapper_details").EnumerateArray().ToArray();
        Assert.Equal(2, mappers.Length);
        Assert.All(mappers, m => Assert.Equal(["pid", "uid", "generation", "since", "blocking"], m.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(4242, mappers[0].GetProperty("pid").GetInt32());
        Assert.Equal(1000u, mappers[0].GetProperty("uid").GetUInt32());
        Assert.Equal(3UL, mappers[0].GetProperty("generation").GetUInt64());
        Assert.Equal("2025-11-25T22:17:03.25Z", mappers[0].GetProperty("since").GetString());
        Assert.False(mappers[0].GetProperty("blocking").GetBoolean());
        Assert.Equal(77, mappers[1].GetProperty("pid").GetInt32());
        Assert.True(mappers[1].GetProperty("blocking").GetBoolean());

        var shrink = root.GetProperty("pending_shrink");
        Assert.Equal(["generation", "since", "age_seconds", "hole_punched", "recovering"], shrink.EnumerateObject().Select(p => p.Name));
        Assert.Equal(3UL, shrink.GetProperty("generation").GetUInt64());
        Assert.Equal(Regions.Now - TimeSpan.FromSeconds(12.34), shrink.GetProperty("since").GetDateTimeOffset());
        Assert.Equal(12.34, shrink.GetProperty("age_seconds").GetDouble());
        Assert.False(shrink.GetProperty("hole_punched").GetBoolean());
        Assert.True(shrink.GetProperty("recovering").GetBoolean());
    }

    [Fact]
    public void Stat_of_an_idle_region_has_an_empty_mapper_list_and_a_null_shrink()
    {
        using var json = JsonDocument.Parse(RegionJson.Render(Regions.Idle(), Regions.Now));
        var root = json.RootElement;

        Assert.Equal(0, root.GetProperty("max_size").GetInt64());
        Assert.Equal(0, root.GetProperty("mapper_details").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("pending_shrink").ValueKind);
    }

    [Fact]
    public void Unknown_times_are_null_and_a_future_shrink_is_zero_seconds_old()
    {
        var status = Regions.Shrinking() with
        {
            MapperDetails = [new MapperStatus(1, 0, 1, default, Blocking: false)],
            PendingShrink = new PendingShrinkStatus(2, Regions.Now + TimeSpan.FromSeconds(1), HolePunched: true, Recovering: false),
        };

        using var json = JsonDocument.Parse(RegionJson.Render(status, Regions.Now));
        var root = json.RootElement;

        Assert.Equal(JsonValueKind.Null, root.GetProperty("mapper_details")[0].GetProperty("since").ValueKind);
        Assert.Equal(0, root.GetProperty("pending_shrink").GetProperty("age_seconds").GetDouble());

        using var unknown = JsonDocument.Parse(RegionJson.Render(status with { PendingShrink = new PendingShrinkStatus(2, default, false, false) }, Regions.Now));
        Assert.Equal(JsonValueKind.Null, unknown.RootElement.GetProperty("pending_shrink").GetProperty("age_seconds").ValueKind);
        Assert.Equal(JsonValueKind.Null, unknown.RootElement.GetProperty("pending_shrink").GetProperty("since").ValueKind);
    }
}
