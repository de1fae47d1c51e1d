using Mapd.Client.Internal;

namespace Mapd.Client.Tests;

public sealed unsafe class RegionLeaseTests : IDisposable
{
    private const long Length = 10_000;
    private readonly ScratchFile _file = new(Length);
    private readonly MappingOwner _owner;
    private readonly MappingView _view;

    public RegionLeaseTests()
    {
        _owner = new MappingOwner(_file.Map());
        _view = new MappingView(_owner, Length, 3);
    }

    public void Dispose()
    {
        _view.Retire();
        _file.Dispose();
    }

    [Fact]
    public void A_lease_shows_its_views_address_length_and_generation()
    {
        using var lease = Acquire();

        Assert.Equal(_owner.Mapping.Address, lease.Address);
        Assert.Equal((nint)lease.Pointer, lease.Address);
        Assert.Equal(Length, lease.Length);
        Assert.Equal(3UL, lease.Generation);
    }

    [Theory]
    [InlineData(0L, 0)]
    [InlineData(0L, 1)]
    [InlineData(0L, (int)Length)]
    [InlineData(Length - 1, 1)]
    [InlineData(Length, 0)]
    [InlineData(4096L, 4096)]
    public void GetSpan_inside_the_mapping_covers_exactly_the_window(long offset, int length)
    {
        using var lease = Acquire();

        var span = lease.GetSpan(offset, length);
        var readOnly = lease.GetReadOnlySpan(offset, length);

        Assert.Equal(length, span.Length);
        Assert.Equal(length, readOnly.Length);
        fixed (byte* start = span)
        {
            Assert.Equal((nint)(lease.Pointer + offset), length == 0 ? (nint)(lease.Pointer + offset) : (nint)start);
        }
    }

    [Theory]
    [InlineData(-1L, 1)]
    [InlineData(0L, -1)]
    [InlineData(0L, (int)Length + 1)]
    [InlineData(Length - 1, 2)]
    [InlineData(Length, 1)]
    [InlineData(Length + 1, 0)]
    [InlineData(long.MaxValue, 1)]
    [InlineData(long.MaxValue - 1, int.MaxValue)]
    [InlineData(long.MinValue, int.MaxValue)]
    public void GetSpan_outside_the_mapping_throws(long offset, int length)
    {
        using var lease = Acquire();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => lease.GetSpan(offset, length));
        Assert.Throws<ArgumentOutOfRangeException>(() => lease.GetReadOnlySpan(offset, length));

        Assert.Contains(Length.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writes_through_a_span_reach_the_shared_file()
    {
        using (var lease = Acquire())
        {
            "lease"u8.CopyTo(lease.GetSpan(9000, 5));
        }

        using var other = Native.MemoryMapping.MapShared(_file.Descriptor, Length, writable: false);
        Assert.Equal("lease"u8.ToArray(), new ReadOnlySpan<byte>((byte*)other.Address + 9000, 5).ToArray());
    }

    [Fact]
    public void Disposing_the_last_lease_of_a_retired_view_unmaps_it()
    {
        var owner = new MappingOwner(_file.Map());
        var view = new MappingView(owner, Length, 1);
        var lease = new RegionLease(view, view.TryEnter());
        view.Retire();

        var closedWhileLeased = owner.Mapping.IsClosed;
        lease.Dispose();

        Assert.False(closedWhileLeased);
        Assert.True(owner.Mapping.IsClosed);
    }

    [Fact]
    public void A_default_lease_refuses_access_and_disposes_quietly()
    {
        var lease = default(RegionLease);

        var error = Assert.Throws<InvalidOperationException>(() => lease.GetSpan(0, 1));
        Assert.Throws<InvalidOperationException>(() => lease.Length);
        lease.Dispose();

        Assert.Contains("AcquireLease", error.Message, StringComparison.Ordinal);
    }

    private RegionLease Acquire()
    {
        var slot = _view.TryEnter();
        Assert.True(slot >= 0);
        return new RegionLease(_view, slot);
    }
}
