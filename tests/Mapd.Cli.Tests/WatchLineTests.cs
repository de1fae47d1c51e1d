using System.Text.Json;

namespace Mapd.Cli.Tests;

public class WatchLineTests
{
    private static readonly DateTimeOffset Received = new(2025, 11, 25, 22, 16, 3, 250, TimeSpan.Zero);

    [Fact]
    public void A_line_is_utc_time_kind_name_and_exact_sizes()
    {
        var line = WatchLine.Render(new WatchEvent("RESIZED", Regions.Make("orders", size: 128L << 20, generation: 3)), Received);

        Assert.Equal("22:16:03.250 RESIZED orders size=128M pending=0 generation=3\n", line);
    }

    [Fact]
    public void A_pending_shrink_shows_both_sizes()
    {
        var line = WatchLine.Render(new WatchEvent("SHRINK_PENDING", Regions.Make("x", size: 4097, pendingSize: 1536L << 20, generation: 12)), Received);

        Assert.Equal("22:16:03.250 SHRINK_PENDING x size=4097 pending=1.5G generation=12\n", line);
    }

    [Fact]
    public void The_time_is_utc_whatever_the_offset_it_comes_in()
    {
        var line = WatchLine.Render(new WatchEvent("DELETED", Regions.Make("x", size: 1)), Received.ToOffset(TimeSpan.FromHours(-5)));

        Assert.StartsWith("22:16:03.250 DELETED x ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_is_one_compact_object_per_line_with_the_region_as_ls_prints_it()
    {
        var region = Regions.Make("orders", size: 64L << 20, generation: 2, pendingSize: 32L << 20, mappers: 1);

        var line = WatchLine.RenderJson(new WatchEvent("SHRINK_PENDING", region), Received);

        Assert.EndsWith("}\n", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line[..^1]);
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal(["time", "kind", "region"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("2025-11-25T22:16:03.25Z", root.GetProperty("time").GetString());
        Assert.Equal("SHRINK_PENDING", root.GetProperty("kind").GetString());

        using var listed = JsonDocument.Parse(RegionJson.Render(region));
        Assert.Equal(JsonSerializer.Serialize(listed.RootElement), JsonSerializer.Serialize(root.GetProperty("region")));
    }
}
