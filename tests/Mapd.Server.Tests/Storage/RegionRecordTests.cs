using System.Text;
using System.Text.Json;
using Mapd.Server.Errors;
using Mapd.Server.Peers;
using Mapd.Server.Regions;
using Mapd.Server.Storage;

namespace Mapd.Server.Tests.Storage;

public sealed class RegionRecordTests
{
    private static readonly RegionRecord Sample = new(
        Name: "frames-0",
        Size: (3UL << 30) + 17,
        Generation: 42,
        OwnerUid: 1000,
        Gid: 100,
        Mode: 0b110_100_000,
        PendingSize: 1UL << 30,
        CreatedAt: new DateTimeOffset(2026, 11, 25, 22, 28, 15, 123, TimeSpan.Zero),
        MaxSize: 8UL << 30);

    [Fact]
    public void ToJson_then_FromJson_gives_back_an_equal_record()
    {
        var back = RegionRecord.FromJson(Sample.ToJson());

        Assert.Equal(Sample, back);
    }

    [Fact]
    public void Values_beyond_the_range_of_a_double_survive_the_round_trip()
    {
        var record = Sample with { Size = long.MaxValue, Generation = ulong.MaxValue - 1, OwnerUid = uint.MaxValue, MaxSize = ulong.MaxValue };

        Assert.Equal(record, RegionRecord.FromJson(record.ToJson()));
    }

    [Fact]
    public void The_file_carries_the_format_version_and_snake_case_names()
    {
        using var document = JsonDocument.Parse(Sample.ToJson());
        var root = document.RootElement;
        var region = root.GetProperty("region");

        Assert.Equal(RegionRecord.FormatVersion, root.GetProperty("version").GetInt32());
        Assert.Equal("frames-0", region.GetProperty("name").GetString());
        Assert.Equal(Sample.Size, region.GetProperty("size").GetUInt64());
        Assert.Equal(42UL, region.GetProperty("generation").GetUInt64());
        Assert.Equal(1000u, region.GetProperty("owner_uid").GetUInt32());
        Assert.Equal(100u, region.GetProperty("gid").GetUInt32());
        Assert.Equal(0b110_100_000u, region.GetProperty("mode").GetUInt32());
        Assert.Equal(1UL << 30, region.GetProperty("pending_size").GetUInt64());
        Assert.Equal(Sample.CreatedAt, region.GetProperty("created_at").GetDateTimeOffset());
    }

    [Fact]
    public void A_file_written_before_max_size_existed_still_loads()
    {
        const string Old = """
            {
              "version": 1,
              "region": {
                "name": "old",
                "size": 4096,
                "generation": 3,
                "owner_uid": 1000,
                "gid": 100,
                "mode": 384,
                "pending_size": 0,
                "created_at": "2026-01-02T03:04:05+00:00"
              }
            }
            """;

        var record = RegionRecord.FromJson(Encoding.UTF8.GetBytes(Old));

        Assert.Equal(new RegionRecord("old", 4096, 3, 1000, 100, 384, 0, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)), record);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(99)]
    public void Another_format_version_is_refused_naming_both_versions(int version)
    {
        var json = Encoding.UTF8.GetString(Sample.ToJson()).Replace("\"version\": 1", $"\"version\": {version}", StringComparison.Ordinal);
        Assert.Contains($"\"version\": {version}", json, StringComparison.Ordinal);

        var error = Assert.Throws<InvalidDataException>(() => RegionRecord.FromJson(Encoding.UTF8.GetBytes(json)));

        Assert.Contains($"format {version}", error.Message, StringComparison.Ordinal);
        Assert.Contains(RegionRecord.FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{")]
    [InlineData("[1, 2, 3]")]
    [InlineData("\"a string\"")]
    [InlineData("{\"version\": \"one\"}")]
    [InlineData("{\"version\": 1, \"region\": {\"size\": -1}}")]
    [InlineData("{\"version\": 1, \"region\": {\"size\": \"big\"}}")]
    public void Garbage_is_refused_as_not_a_metadata_file(string text)
    {
        var error = Assert.Throws<InvalidDataException>(() => RegionRecord.FromJson(Encoding.UTF8.GetBytes(text)));

        Assert.Contains("not a region metadata file", error.Message, StringComparison.Ordinal);
        Assert.IsType<JsonException>(error.InnerException);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("{\"version\": 1}")]
    [InlineData("{\"version\": 1, \"region\": null}")]
    public void A_file_without_a_region_is_refused_as_empty(string text)
    {
        var error = Assert.Throws<InvalidDataException>(() => RegionRecord.FromJson(Encoding.UTF8.GetBytes(text)));

        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_file_is_refused()
    {
        var json = Sample.ToJson();

        Assert.Throws<InvalidDataException>(() => RegionRecord.FromJson(json.AsSpan(0, json.Length / 2)));
    }

    [Theory]
    [InlineData("{\"version\": 1, \"region\": {}}")]
    [InlineData("{\"version\": 1, \"region\": {\"size\": 4096}}")]
    public void A_region_missing_its_name_is_refused(string text)
    {
        Assert.Throws<InvalidDataException>(() => RegionRecord.FromJson(Encoding.UTF8.GetBytes(text)));
    }

    public static TheoryData<RegionRecord, string> ImpossibleRecords => new()
    {
        { Sample with { Size = 0, PendingSize = 0 }, "size 0 is not a region's" },
        { Sample with { Size = (ulong)long.MaxValue + 1 }, "size 9223372036854775808 is not a region's" },
        { Sample with { Size = ulong.MaxValue }, "size 18446744073709551615 is not a region's" },
        { Sample with { PendingSize = Sample.Size }, "is not below size" },
        { Sample with { PendingSize = ulong.MaxValue }, "is not below size" },
        { Sample with { Mode = 0b1_000_000_000 }, "mode 1000 is not a permission mask" },
    };

    [Theory]
    [MemberData(nameof(ImpossibleRecords))]
    public void A_record_no_daemon_writes_is_refused_before_recovery_acts_on_it(RegionRecord record, string explanation)
    {
        var error = Assert.Throws<InvalidDataException>(() => RegionRecord.FromJson(record.ToJson()));

        Assert.Contains(explanation, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_region_missing_its_size_is_refused()
    {
        var json = "{\"version\": 1, \"region\": {\"name\": \"a\", \"generation\": 1}}"u8.ToArray();

        Assert.Contains("size 0", Assert.Throws<InvalidDataException>(() => RegionRecord.FromJson(json)).Message, StringComparison.Ordinal);
    }
}
