using Mapd.Client.Internal.Mapping;
using Mapd.Client.Tests.Fakes;
using Mapd.Native;

namespace Mapd.Client.Tests.Internal.Mapping;

public sealed class MappingPolicyTests : IDisposable
{
    private const long MiB = 1 << 20;
    private const long TiB = 1L << 40;
    private readonly ScratchFile _file = new(4096);
    private readonly RecordingLogger _log = new();

    public void Dispose() => _file.Dispose();

    [Fact]
    public void A_max_size_hint_near_2_to_the_62_reserves_no_more_than_the_cap()
    {
        var policy = Policy(maximum: TiB);

        Assert.Equal(TiB, policy.Reservation(4096, 1UL << 62));
        Assert.Equal(TiB, policy.Reservation(4096, ulong.MaxValue));
        Assert.Equal(TiB, new MapdClientOptions().MaximumReservation);
    }

    [Fact]
    public void A_hint_below_the_cap_is_reserved_as_given_and_never_less_than_the_mapping()
    {
        var policy = Policy(maximum: TiB);

        Assert.Equal(64 * MiB, policy.Reservation(4096, 64 * MiB));
        Assert.Equal(8 * MiB, policy.Reservation(8 * MiB, 4096));
    }

    [Fact]
    public void Without_a_hint_the_factor_and_the_minimum_apply_and_cannot_overflow()
    {
        var policy = Policy(maximum: TiB);

        Assert.Equal(1 << 30, policy.Reservation(4096, 0));
        Assert.Equal(4 * (1L << 30), policy.Reservation(1L << 30, 0));
        Assert.Equal(TiB, policy.Reservation(1L << 39, 0));
        Assert.Equal(long.MaxValue / 2, policy.Reservation(long.MaxValue / 2, 0));
    }

    [Fact]
    public void A_region_larger_than_the_cap_is_reserved_at_its_size()
    {
        Assert.Equal(2 * TiB, Policy(maximum: TiB).Reservation(2 * TiB, 0));
    }

    [Fact]
    public void The_default_cap_is_a_reservation_the_kernel_grants()
    {
        using var mapping = Policy(maximum: TiB).Map(_file.Descriptor, 4096, writable: true, 1UL << 62, "huge-hint");

        Assert.Equal(TiB, mapping.ReservedLength);
        Assert.Empty(_log.Entries);
    }

    [Fact]
    public unsafe void A_reservation_the_kernel_refuses_falls_back_to_mapping_just_the_region()
    {
        // 2^62 bytes is beyond any x86-64 or arm64 user address space: mmap answers ENOMEM.
        using var mapping = Policy(maximum: long.MaxValue).Map(_file.Descriptor, 4096, writable: true, 1UL << 62, "huge-hint");
        *(byte*)mapping.Address = 42;

        Assert.Equal(MemoryMapping.Alignment, mapping.ReservedLength);
        Assert.Equal(4096, mapping.Length);
        var entry = Assert.Single(_log.Entries);
        Assert.Equal("ReservationRefused", entry.Event);
        Assert.Contains("huge-hint", entry.Message, StringComparison.Ordinal);
    }

    private MappingPolicy Policy(long maximum) => new(4, 1L << 30, maximum, prefaultOnRemap: false, _log);
}
