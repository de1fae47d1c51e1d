namespace Mapd.Cli.Tests;

public class RegionDetailsTests
{
    private static string Render(RegionStatus status) => RegionDetails.Render(status, Regions.Accounts(), Regions.Now);

    /// <summary>The <c>key: value</c> lines, up to the blank line before the mapper table.</summary>
    private static Dictionary<string, string> Fields(string text)
    {
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        return text[..^1].Split('\n').TakeWhile(line => line.Length > 0).Select(line =>
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            return (Key: line[..colon], Value: line[(colon + 1)..].TrimStart());
        }).ToDictionary(f => f.Key, f => f.Value);
    }

    [Fact]
    public void Every_field_is_a_key_value_line_named_as_in_json()
    {
        var text = Render(Regions.Idle());

        Assert.Equal(["name", "size", "pending_size", "generation", "mode", "owner_uid", "gid", "mappers", "created_at"], Fields(text).Keys);
        Assert.DoesNotContain("\n\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_read_for_humans_and_keep_exact_numbers()
    {
        var region = Regions.Make("orders", size: 64L << 20, generation: 7, ownerUid: 1000, gid: 1001, mode: 0x1A0, mappers: 2);

        var fields = Fields(Render(Regions.Idle(region)));

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

        var fields = Fields(Render(Regions.Idle(region)));

        Assert.Equal("100", fields["size"]);
        Assert.Equal("1025", Fields(Render(Regions.Idle(Regions.Make(size: 1025))))["size"]);
        Assert.Equal("1M (1048576 bytes)", fields["pending_size"]);
        Assert.Equal("77 (77)", fields["owner_uid"]);
        Assert.Equal("88 (88)", fields["gid"]);
        Assert.Equal("unknown", fields["created_at"]);
    }

    [Fact]
    public void A_shrinking_region_shows_its_grace_period_and_a_table_of_mappers_oldest_first()
    {
        var text = Render(Regions.Shrinking());

        Assert.Equal(
            """
            name:           orders
            size:           128M (134217728 bytes)
            pending_size:   32M (33554432 bytes)
            pending_shrink: generation 3, since 2025-11-25T22:21:03Z (12.3s ago), hole punched: no, recovering: yes
            max_size:       1G (1073741824 bytes)
            generation:     3
            mode:           0640
            owner_uid:      1000 (alice)
            gid:            1001 (staff)
            mappers:        2
            created_at:     2025-11-25T22:16:03Z

             PID  UID           GENERATION  SINCE                   AGE  BLOCKING
              77  0 (root)               2  2025-11-25T22:16:04Z  5m11s  yes
            4242  1000 (alice)           3  2025-11-25T22:17:03Z  4m12s  no

            """,
            text);
    }

    [Fact]
    public void A_punched_hole_and_a_mapper_without_a_start_time_read_plainly()
    {
        var status = Regions.Shrinking() with
        {
            MapperDetails = [new MapperStatus(9, 4242, 1, default, Blocking: true)],
            PendingShrink = new PendingShrinkStatus(3, Regions.Now - TimeSpan.FromMinutes(2), HolePunched: true, Recovering: false),
        };

        var text = Render(status);

        Assert.Equal("generation 3, since 2025-11-25T22:19:16Z (2m00s ago), hole punched: yes, recovering: no", Fields(text)["pending_shrink"]);
        var row = text.TrimEnd('\n').Split('\n')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["9", "4242", "(4242)", "1", "unknown", "-", "yes"], row);
    }

    [Fact]
    public void Max_size_shows_only_when_set_and_the_table_only_when_someone_maps()
    {
        var fields = Fields(Render(Regions.Idle() with { MaxSize = 4097 }));

        Assert.Equal("4097", fields["max_size"]);
        Assert.False(fields.ContainsKey("pending_shrink"));
        Assert.DoesNotContain("BLOCKING", Render(Regions.Idle()), StringComparison.Ordinal);
    }

    [Fact]
    public void Values_are_aligned()
    {
        foreach (var status in new[] { Regions.Idle(), Regions.Shrinking() })
        {
            var lines = Render(status).Split('\n').TakeWhile(l => l.Length > 0).ToArray();

            var starts = lines.Select(l => l.IndexOf(' ', StringComparison.Ordinal) + l[l.IndexOf(' ', StringComparison.Ordinal)..].TakeWhile(c => c == ' ').Count()).Distinct();
            Assert.Single(starts);
        }
    }
}
