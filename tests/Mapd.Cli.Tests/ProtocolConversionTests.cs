using Google.Protobuf.WellKnownTypes;
using Mapd.Protocol.V1;

namespace Mapd.Cli.Tests;

/// <summary>The daemon's messages as mapctl reads them.</summary>
public class ProtocolConversionTests
{
    private static Timestamp At(double seconds) => Timestamp.FromDateTimeOffset(Regions.Created.AddSeconds(seconds));

    [Fact]
    public void A_detailed_region_keeps_its_mappers_and_pending_shrink()
    {
        var region = new Region
        {
            Name = "orders",
            Size = 128UL << 20,
            Generation = 3,
            OwnerUid = 1000,
            Gid = 1001,
            Mode = 0x1A0,
            PendingSize = 32UL << 20,
            CreatedAt = At(0),
            Mappers = 2,
            MaxSize = 1UL << 30,
            MapperDetails =
            {
                new Mapper { Pid = 4242, Uid = 1000, Generation = 3, Since = At(60), Blocking = false },
                new Mapper { Pid = 77, Uid = 0, Generation = 2, Blocking = true },
            },
            PendingShrink = new PendingShrink { Generation = 3, Since = At(300), HolePunched = true, Recovering = false },
        };

        var status = RegionStatus.From(region);

        Assert.Equal(Regions.Make("orders", size: 128L << 20, generation: 3, pendingSize: 32L << 20, mappers: 2), status.Region);
        Assert.Equal(1L << 30, status.MaxSize);
        Assert.Equal(
            [new MapperStatus(4242, 1000, 3, Regions.Created.AddSeconds(60), false), new MapperStatus(77, 0, 2, default, true)],
            status.MapperDetails);
        Assert.Equal(new PendingShrinkStatus(3, Regions.Created.AddSeconds(300), true, false), status.PendingShrink);
    }

    [Fact]
    public void A_region_without_details_has_none()
    {
        var status = RegionStatus.From(new Region { Name = "x", Size = 1, Generation = 1 });

        Assert.Empty(status.MapperDetails);
        Assert.Null(status.PendingShrink);
        Assert.Equal(0, status.MaxSize);
        Assert.Equal(default, status.Region.CreatedAt);
    }

    [Fact]
    public void A_session_reads_field_by_field()
    {
        var session = SessionSummary.From(new SessionInfo { IdPrefix = "0123abcd", Pid = 99, Uid = 1000, Regions = { "b", "a" }, Since = At(1), UnreadFds = 4 });

        Assert.Equal("0123abcd", session.IdPrefix);
        Assert.Equal(99, session.Pid);
        Assert.Equal(1000u, session.Uid);
        Assert.Equal(["b", "a"], session.Regions);
        Assert.Equal(Regions.Created.AddSeconds(1), session.Since);
        Assert.Equal(4, session.UnreadFds);
        Assert.Equal(default, SessionSummary.From(new SessionInfo()).Since);
    }

    [Theory]
    [InlineData(RegionEvent.Types.Kind.Current, "CURRENT")]
    [InlineData(RegionEvent.Types.Kind.Resized, "RESIZED")]
    [InlineData(RegionEvent.Types.Kind.ShrinkPending, "SHRINK_PENDING")]
    [InlineData(RegionEvent.Types.Kind.Deleted, "DELETED")]
    [InlineData(RegionEvent.Types.Kind.Unspecified, "KIND_UNSPECIFIED")]
    [InlineData((RegionEvent.Types.Kind)9, "KIND_9")]
    public void Event_kinds_print_as_the_proto_names_them(RegionEvent.Types.Kind kind, string name)
    {
        Assert.Equal(name, WatchEvent.KindName(kind));
    }

    [Fact]
    public void Every_kind_the_proto_defines_has_its_proto_name()
    {
        foreach (var value in RegionEvent.Types.Kind.Unspecified.GetType().GetFields().Where(f => f.IsLiteral))
        {
            var protoName = value.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false).Cast<Google.Protobuf.Reflection.OriginalNameAttribute>().Single().Name;
            Assert.Equal(protoName, WatchEvent.KindName((RegionEvent.Types.Kind)value.GetValue(null)!));
        }
    }

    [Fact]
    public void An_event_carries_its_region()
    {
        var watchEvent = WatchEvent.From(new RegionEvent { Kind = RegionEvent.Types.Kind.Resized, Region = new Region { Name = "x", Size = 4096, Generation = 2 } });

        Assert.Equal("RESIZED", watchEvent.Kind);
        Assert.Equal("x", watchEvent.Region.Name);
        Assert.Equal(4096, watchEvent.Region.Size);
        Assert.Equal(2UL, watchEvent.Region.Generation);
        Assert.Equal("", WatchEvent.From(new RegionEvent { Kind = RegionEvent.Types.Kind.Deleted }).Region.Name);
    }
}
