using System.Text.Json;

namespace Mapd.Cli.Tests;

public class StatusReportTests
{
    [Fact]
    public void The_human_report_has_one_aligned_line_per_fact()
    {
        Assert.Equal(
            """
            version:         1.2.0+abc1234
            uptime:          3d04h (since 2025-11-22T18:16:16Z)
            capacity:        8G (8589934592 bytes)
            used:            64M (67108864 bytes), 0.8% of capacity
            regions:         3
            sessions:        2
            pending_shrinks: 1
            health:          Healthy
            storage_path:    /run/mapd/storage

            """,
            StatusReport.Render(Regions.Daemon(), Regions.Now));
    }

    [Fact]
    public void An_unhealthy_daemon_says_why()
    {
        var text = StatusReport.Render(Regions.Daemon("Degraded", "storage is 95% full"), Regions.Now);

        Assert.Contains("\nhealth:          Degraded: storage is 95% full\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_facts_read_as_unknown_and_zero_capacity_has_no_percentage()
    {
        var text = StatusReport.Render(Regions.Daemon() with { Version = "", StartedAt = default, CapacityBytes = 0 }, Regions.Now);

        Assert.Contains("version:         unknown\n", text, StringComparison.Ordinal);
        Assert.Contains("\nuptime:          unknown\n", text, StringComparison.Ordinal);
        Assert.Contains("\nused:            64M (67108864 bytes)\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_has_the_proto_field_names_and_the_uptime_in_seconds()
    {
        using var json = JsonDocument.Parse(StatusReport.RenderJson(Regions.Daemon(), Regions.Now));
        var root = json.RootElement;

        Assert.Equal(
            ["version", "started_at", "uptime_seconds", "capacity_bytes", "used_bytes", "regions", "sessions", "pending_shrinks", "health", "health_detail", "storage_path"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("1.2.0+abc1234", root.GetProperty("version").GetString());
        Assert.Equal("2025-11-22T18:16:16Z", root.GetProperty("started_at").GetString());
        Assert.Equal(((3 * 24) + 4) * 3600 + 300, root.GetProperty("uptime_seconds").GetDouble());
        Assert.Equal(8UL << 30, root.GetProperty("capacity_bytes").GetUInt64());
        Assert.Equal(64UL << 20, root.GetProperty("used_bytes").GetUInt64());
        Assert.Equal(1, root.GetProperty("pending_shrinks").GetInt32());
        Assert.Equal("", root.GetProperty("health_detail").GetString());
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(StatusReport.RenderJson(Regions.Daemon() with { StartedAt = default }, Regions.Now)).RootElement.GetProperty("uptime_seconds").ValueKind);
    }

    [Fact]
    public void The_daemons_answer_reads_field_by_field()
    {
        var status = DaemonStatus.From(new Mapd.Protocol.V1.StatusResponse
        {
            Version = "1.0.0",
            StartedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(Regions.Created),
            CapacityBytes = 100,
            UsedBytes = 40,
            Regions = 2,
            Sessions = 1,
            Health = "Unhealthy",
            HealthDetail = "storage gone",
            StoragePath = "/s",
            PendingShrinks = 3,
        });

        Assert.Equal(new DaemonStatus("1.0.0", Regions.Created, 100, 40, 2, 1, 3, "Unhealthy", "storage gone", "/s"), status);
        Assert.Equal(default, DaemonStatus.From(new Mapd.Protocol.V1.StatusResponse()).StartedAt);
    }
}
