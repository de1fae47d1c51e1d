namespace Mapd.Native.Tests;

public sealed unsafe class MemoryMappingTests : IDisposable
{
    private const long MiB = 1 << 20;
    private readonly ScratchDirectory _scratch = new();
    private readonly DirectoryHandle _directory;

    public MemoryMappingTests() => _directory = _scratch.Open();

    public void Dispose()
    {
        _directory.Dispose();
        _scratch.Dispose();
    }

    [Theory]
    [InlineData(4096L, 0L)]
    [InlineData(5000L, 0L)]
    [InlineData(3 * MiB, 0L)]
    [InlineData(4096L, 7 * MiB)]
    public void MapShared_starts_on_a_2_MiB_boundary_and_reserves_whole_2_MiB_units(long length, long reserve)
    {
        using var fd = NewFile(length);

        using var mapping = MemoryMapping.MapShared(fd, length, writable: true, reserve);

        Assert.Equal(0, mapping.Address % MemoryMapping.Alignment);
        Assert.Equal(length, mapping.Length);
        Assert.Equal(0, mapping.ReservedLength % MemoryMapping.Alignment);
        Assert.True(mapping.ReservedLength >= Math.Max(length, reserve));
        Assert.True(mapping.ReservedLength < Math.Max(length, reserve) + MemoryMapping.Alignment);
        Assert.True(mapping.Writable);
    }

    [Fact]
    public void MapShared_maps_the_file_at_the_start_and_holds_the_rest_of_the_reservation_inaccessible()
    {
        using var fd = NewFile(4096);
        using var mapping = MemoryMapping.MapShared(fd, 4096, writable: true, reserve: 4 * MiB);
        var start = (long)mapping.Address;
        var end = start + mapping.ReservedLength;

        var areas = ProcessMaps.Overlapping(mapping.Address, mapping.ReservedLength);

        // The file page first, then PROT_NONE without holes to the end. (Neighbouring areas of
        // other owners may merge with the PROT_NONE part, so only the range itself is checked.)
        Assert.Equal(start, areas[0].Start);
        Assert.Equal(start + 4096, areas[0].End);
        Assert.Equal("rw-s", areas[0].Permissions);
        Assert.Equal(_scratch.Join("f"), areas[0].Path);
        Assert.All(areas.Skip(1), a => Assert.Equal("---p", a.Permissions));
        Assert.True(areas[^1].End >= end, "the reservation is not mapped to its end");
        for (var i = 1; i < areas.Count; i++)
        {
            Assert.Equal(areas[i - 1].End, areas[i].Start);
        }
    }

    [Fact]
    public void Dispose_unmaps_the_file_and_the_reservation()
    {
        using var fd = NewFile(4096);
        var mapping = MemoryMapping.MapShared(fd, 4096, writable: true, reserve: 4 * MiB);
        var address = mapping.Address;
        var reserved = mapping.ReservedLength;
        var reserve = ProcessMaps.Overlapping(address + 4096, 1).Single();

        mapping.Dispose();
        var after = ProcessMaps.Overlapping(address, reserved);

        // Another thread may map something into the freed range at once, but not this file,
        // and not an area with the reservation's exact bounds.
        Assert.True(mapping.IsClosed);
        Assert.DoesNotContain(after, a => a.Path == _scratch.Join("f"));
        Assert.DoesNotContain(after, a => a == reserve);
    }

    [Fact]
    public void MapShared_rejects_a_zero_length()
    {
        using var fd = NewFile(4096);

        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryMapping.MapShared(fd, 0, writable: true));
    }

    [Fact]
    public void Writes_are_visible_through_a_second_mapping_of_the_same_descriptor()
    {
        using var fd = NewFile(2 * MiB);
        using var writer = MemoryMapping.MapShared(fd, 2 * MiB, writable: true);
        using var reader = MemoryMapping.MapShared(fd, 2 * MiB, writable: false);

        Bytes(writer)[0] = 0x11;
        Bytes(writer)[(2 * MiB) - 1] = 0x22;

        Assert.NotEqual(writer.Address, reader.Address);
        Assert.Equal(0x11, Bytes(reader)[0]);
        Assert.Equal(0x22, Bytes(reader)[(2 * MiB) - 1]);
    }

    [Fact]
    public void Writes_through_a_mapping_reach_the_file()
    {
        using var fd = NewFile(8192);
        using var mapping = MemoryMapping.MapShared(fd, 8192, writable: true);

        "hello"u8.CopyTo(new Span<byte>((byte*)mapping.Address + 4096, 5));

        Assert.Equal("hello"u8.ToArray(), Files.ReadAll(fd, "f")[4096..4101]);
    }

    [Fact]
    public void TryGrowInPlace_within_the_reservation_keeps_the_address_and_exposes_the_new_bytes()
    {
        using var fd = NewFile(5000);
        using var mapping = MemoryMapping.MapShared(fd, 5000, writable: true, reserve: 8 * MiB);
        var address = mapping.Address;
        Bytes(mapping)[4999] = 0x33;

        Files.Truncate(fd, 3 * MiB, "f");
        var grown = mapping.TryGrowInPlace(fd, 3 * MiB);
        Bytes(mapping)[(3 * MiB) - 1] = 0x44;

        Assert.True(grown);
        Assert.Equal(address, mapping.Address);
        Assert.Equal(3 * MiB, mapping.Length);
        Assert.Equal(0x33, Bytes(mapping)[4999]);
        var file = new byte[1];
        using (var other = MemoryMapping.MapShared(fd, 3 * MiB, writable: false))
        {
            file[0] = Bytes(other)[(3 * MiB) - 1];
        }

        Assert.Equal(0x44, file[0]);
        Assert.Equal("rw-s", ProcessMaps.PermissionsAt(mapping.Address + (nint)(3 * MiB) - 1));
    }

    [Fact]
    public void TryGrowInPlace_beyond_the_reservation_returns_false_and_changes_nothing()
    {
        using var fd = NewFile(4096);
        using var mapping = MemoryMapping.MapShared(fd, 4096, writable: true, reserve: 2 * MiB);
        Files.Truncate(fd, 4 * MiB, "f");

        var grown = mapping.TryGrowInPlace(fd, mapping.ReservedLength + 1);

        Assert.False(grown);
        Assert.Equal(4096, mapping.Length);
        Assert.Equal("---p", ProcessMaps.PermissionsAt(mapping.Address + 4096));
    }

    [Fact]
    public void TryGrowInPlace_to_a_smaller_length_is_a_no_op()
    {
        using var fd = NewFile(MiB);
        using var mapping = MemoryMapping.MapShared(fd, MiB, writable: true);

        Assert.True(mapping.TryGrowInPlace(fd, 4096));
        Assert.Equal(MiB, mapping.Length);
    }

    [Fact]
    public void ShrinkTo_makes_the_tail_inaccessible_so_the_file_can_be_truncated_and_the_head_still_works()
    {
        using var fd = NewFile(4 * MiB);
        using var mapping = MemoryMapping.MapShared(fd, 4 * MiB, writable: true);
        Bytes(mapping)[0] = 0x55;

        mapping.ShrinkTo(MiB);
        Files.Truncate(fd, MiB, "f");
        Bytes(mapping)[MiB - 1] = 0x66;

        Assert.Equal(MiB, mapping.Length);
        Assert.Equal(0x55, Bytes(mapping)[0]);
        Assert.Equal("rw-s", ProcessMaps.PermissionsAt(mapping.Address + (nint)MiB - 1));
        Assert.Equal("---p", ProcessMaps.PermissionsAt(mapping.Address + (nint)MiB));
        Assert.Equal("---p", ProcessMaps.PermissionsAt(mapping.Address + (nint)(4 * MiB) - 1));
        Assert.Equal(0x66, Files.ReadAll(fd, "f")[MiB - 1]);
    }

    [Fact]
    public void ShrinkTo_then_TryGrowInPlace_maps_the_file_again_at_the_same_address()
    {
        using var fd = NewFile(4 * MiB);
        using var mapping = MemoryMapping.MapShared(fd, 4 * MiB, writable: true);
        Bytes(mapping)[(3 * MiB) + 7] = 0x77;

        mapping.ShrinkTo(MiB);
        var grown = mapping.TryGrowInPlace(fd, 4 * MiB);

        Assert.True(grown);
        Assert.Equal(0x77, Bytes(mapping)[(3 * MiB) + 7]);
    }

    [Fact]
    public void ShrinkTo_a_larger_length_is_a_no_op()
    {
        using var fd = NewFile(MiB);
        using var mapping = MemoryMapping.MapShared(fd, MiB, writable: true);

        mapping.ShrinkTo(2 * MiB);

        Assert.Equal(MiB, mapping.Length);
        Assert.Equal("rw-s", ProcessMaps.PermissionsAt(mapping.Address + (nint)MiB - 1));
    }

    [Fact]
    public void A_read_only_descriptor_maps_read_only_and_sees_the_data()
    {
        using (var writable = NewFile(4096))
        {
            Files.WriteAll(writable, "shared"u8, "f");
        }

        using var readOnly = _directory.OpenFile("f", writable: false);

        using var mapping = MemoryMapping.MapShared(readOnly, 4096, writable: false);

        Assert.False(mapping.Writable);
        Assert.Equal("shared"u8.ToArray(), new ReadOnlySpan<byte>((byte*)mapping.Address, 6).ToArray());
        Assert.Equal("r--s", ProcessMaps.PermissionsAt(mapping.Address));
    }

    [Fact]
    public void A_writable_mapping_of_a_read_only_descriptor_fails_with_EACCES()
    {
        using (NewFile(4096))
        {
        }

        using var readOnly = _directory.OpenFile("f", writable: false);

        var error = Assert.Throws<SystemCallException>(() => MemoryMapping.MapShared(readOnly, 4096, writable: true, what: "region 'f'"));

        Assert.Equal(Errnos.EACCES, error.Errno);
        Assert.Equal("mmap(MAP_SHARED)", error.Call);
        Assert.Equal("region 'f'", error.Target);
    }

    [Fact]
    public void Populate_faults_pages_in_without_changing_them()
    {
        using var fd = NewFile(2 * MiB);
        using var mapping = MemoryMapping.MapShared(fd, 2 * MiB, writable: true);
        Bytes(mapping)[12345] = 0x99;

        var supported = mapping.Populate(2 * MiB, forWrite: false);
        var supportedForWrite = mapping.Populate(2 * MiB, forWrite: true);

        // MADV_POPULATE_* arrived in Linux 5.14; before that Populate says false.
        var expected = Environment.OSVersion.Version >= new Version(5, 14);
        Assert.Equal(expected, supported);
        Assert.Equal(expected, supportedForWrite);
        Assert.Equal(0x99, Bytes(mapping)[12345]);
        if (expected)
        {
            Assert.True(Files.Stat(fd, "f").AllocatedBytes >= 2 * MiB);
        }
    }

    [Fact]
    public void Populate_is_limited_to_the_mapped_length()
    {
        using var fd = NewFile(4096);
        using var mapping = MemoryMapping.MapShared(fd, 4096, writable: true, reserve: 4 * MiB);

        // Asking for more than is mapped must not touch the PROT_NONE reserve (that would be EFAULT/ENOMEM).
        var populated = mapping.Populate(4 * MiB, forWrite: false);

        Assert.Equal(Environment.OSVersion.Version >= new Version(5, 14), populated);
    }

    private FileDescriptor NewFile(long length)
    {
        var fd = _directory.CreateFile("f", 0b110_000_000);
        Files.Truncate(fd, length, "f");
        return fd;
    }

    private static ByteView Bytes(MemoryMapping mapping) => new(mapping);

    /// <summary>Indexes a mapping by a long offset.</summary>
    private readonly struct ByteView(MemoryMapping mapping)
    {
        public byte this[long offset]
        {
            get => *((byte*)mapping.Address + offset);
            set => *((byte*)mapping.Address + offset) = value;
        }
    }
}
