using Mapd.Native;
using Mapd.Server.Errors;
using Mapd.Server.Peers;
using Mapd.Server.Regions;
using Mapd.Server.Storage;

namespace Mapd.Server.Tests.Regions;

public sealed class RegionStoreTests : IDisposable
{
    private const ulong KiB = 1024;
    private readonly StoreHarness _harness = new(capacity: "1M", maxRegions: 3);
    private readonly TestMapper _session = new("session-1");
    private readonly TestMapper _other = new("session-2", pid: 4343, uid: 1001);

    private RegionStore Store => _harness.Store;

    private RegionMappings Mappings => _harness.Mappings;

    private RegionResizer Resizer => _harness.Resizer;

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void Create_makes_the_file_and_its_metadata_and_describes_the_region()
    {
        var (region, fd) = Store.Create("a", 5000, 0b110_100_000, 0, StoreHarness.Owner, _session);
        using (fd)
        {
            Assert.Equal(5000, Files.Stat(fd.Descriptor, "a").Size);
            Files.WriteAll(fd.Descriptor, "writable"u8, "a");
        }

        Assert.Equal("a", region.Name);
        Assert.Equal(5000UL, region.Size);
        Assert.Equal(1UL, region.Generation);
        Assert.Equal(StoreHarness.Owner.Uid, region.OwnerUid);
        Assert.Equal(StoreHarness.Owner.Gid, region.Gid);
        Assert.Equal(0b110_100_000u, region.Mode);
        Assert.Equal(0UL, region.PendingSize);
        Assert.Equal(1, region.MapperCount);
        Assert.Equal(_harness.Time.GetUtcNow(), region.CreatedAt);
        Assert.Equal(5000, new FileInfo(_harness.RegionPath("a")).Length);
        var record = RegionRecord.FromJson(File.ReadAllBytes(_harness.MetadataPath("a")));
        Assert.Equal(new RegionRecord("a", 5000, 1, 1000, 100, 0b110_100_000, 0, _harness.Time.GetUtcNow()), record);
    }

    [Fact]
    public void Create_with_mode_0_gives_0600()
    {
        var region = _harness.Create("a", 4096, _session, mode: 0);

        Assert.Equal(0b110_000_000u, region.Mode);
    }

    [Fact]
    public void Create_accounts_whole_pages_against_capacity()
    {
        _harness.Create("a", 1, _session);
        _harness.Create("b", 4097, _session);

        Assert.Equal(4096 + 8192, Store.ReservedBytes);
        Assert.Equal(2, Store.Count);
        Assert.Equal(1L << 20, Store.Capacity);
    }

    [Fact]
    public void Create_of_an_existing_name_is_ALREADY_EXISTS_and_changes_nothing()
    {
        _harness.Create("a", 4096, _session);

        var error = Assert.Throws<RefusedException>(() => _harness.Create("a", 8192, _other));

        Assert.Equal(Refusal.AlreadyExists, error.Reason);
        Assert.Equal(4096, Store.ReservedBytes);
        Assert.Equal(4096UL, Store.Get("a").Size);
        Assert.Equal(1, Store.Get("a").MapperCount);
    }

    [Theory]
    [InlineData(".hidden", 4096UL, 0u, 0UL)]
    [InlineData("a/b", 4096UL, 0u, 0UL)]
    [InlineData("", 4096UL, 0u, 0UL)]
    [InlineData("ok", 0UL, 0u, 0UL)]
    [InlineData("ok", (1UL << 20) + 1, 0u, 0UL)]
    [InlineData("ok", ulong.MaxValue, 0u, 0UL)]
    [InlineData("ok", 4096UL, 0b1_000_000_000u, 0UL)]
    [InlineData("ok", 8192UL, 0u, 4096UL)]
    public void Create_with_a_bad_argument_is_INVALID_ARGUMENT_and_leaves_nothing_behind(string name, ulong size, uint mode, ulong maxSize)
    {
        var error = Assert.Throws<RefusedException>(() => Store.Create(name, size, mode, maxSize, StoreHarness.Owner, _session));

        Assert.Equal(Refusal.InvalidArgument, error.Reason);
        Assert.Equal(0, Store.Count);
        Assert.Equal(0, Store.ReservedBytes);
        Assert.Empty(_harness.Names("regions"));
        Assert.Empty(_harness.Names("meta"));
    }

    [Fact]
    public void Create_beyond_capacity_is_RESOURCE_EXHAUSTED_and_leaves_no_file()
    {
        _harness.Create("a", 512 * KiB, _session);

        var error = Assert.Throws<RefusedException>(() => _harness.Create("b", (512 * KiB) + 1, _session));

        Assert.Equal(Refusal.ResourceExhausted, error.Reason);
        Assert.Contains("capacity", error.Message, StringComparison.Ordinal);
        Assert.Equal(["a"], _harness.Names("regions"));
        Assert.Equal(["a.json"], _harness.Names("meta"));
        Assert.Equal(512 * 1024, Store.ReservedBytes);
    }

    [Fact]
    public void Create_may_fill_capacity_exactly()
    {
        _harness.Create("a", 512 * KiB, _session);
        _harness.Create("b", 512 * KiB, _session);

        Assert.Equal(Store.Capacity, Store.ReservedBytes);
        Assert.Equal(Refusal.ResourceExhausted, Assert.Throws<RefusedException>(() => _harness.Create("c", 1, _session)).Reason);
    }

    [Fact]
    public void Create_beyond_MaxRegions_is_RESOURCE_EXHAUSTED_until_one_is_deleted()
    {
        _harness.Create("a", 4096, _session);
        _harness.Create("b", 4096, _session);
        _harness.Create("c", 4096, _session);

        var error = Assert.Throws<RefusedException>(() => _harness.Create("d", 4096, _session));
        Mappings.Close("a", _session);
        Store.Delete("a", StoreHarness.Owner);
        _harness.Create("d", 4096, _session);

        Assert.Equal(Refusal.ResourceExhausted, error.Reason);
        Assert.Contains("MaxRegions", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, Store.Count);
    }

    [Fact]
    public void MaxRegionSize_is_the_capacity_unless_configured_lower()
    {
        using var limited = new StoreHarness(capacity: "1M", maxRegionSize: 64 * 1024);

        var error = Assert.Throws<RefusedException>(() => limited.Create("a", (64 * KiB) + 1, _session));
        limited.Create("b", 64 * KiB, _session);

        Assert.Equal(Store.Capacity, Store.MaxRegionSize);
        Assert.Equal(64 * 1024, limited.Store.MaxRegionSize);
        Assert.Equal(Refusal.InvalidArgument, error.Reason);
    }

    [Fact]
    public void Open_read_only_hands_out_a_descriptor_that_cannot_write()
    {
        _harness.Create("a", 4096, _session, mode: 0b110_100_100);

        var (region, fd) = Mappings.Open("a", writable: false, StoreHarness.Stranger, _other);
        using (fd)
        {
            var error = Assert.Throws<SystemCallException>(() => Files.WriteAll(fd.Descriptor, "x"u8, "a"));
            Assert.Equal(Errnos.EBADF, error.Errno);
            Assert.Equal(4096, Files.Stat(fd.Descriptor, "a").Size);
        }

        Assert.Equal(2, region.MapperCount);
    }

    [Fact]
    public void Open_read_write_hands_out_a_descriptor_to_the_same_file()
    {
        var (_, created) = Store.Create("a", 4096, 0, 0, StoreHarness.Owner, _session);
        using (created)
        {
            var (_, opened) = Mappings.Open("a", writable: true, StoreHarness.Owner, _other);
            using (opened)
            {
                Files.WriteAll(opened.Descriptor, "shared"u8, "a");
                Assert.Equal(Files.Stat(created.Descriptor, "created").Inode, Files.Stat(opened.Descriptor, "opened").Inode);
            }

            Assert.Equal("shared"u8.ToArray(), Files.ReadAll(created.Descriptor, "a")[..6]);
        }
    }

    [Fact]
    public void Open_without_permission_is_PERMISSION_DENIED_and_records_no_mapper()
    {
        _harness.Create("a", 4096, _session, mode: 0b110_100_000);

        var write = Assert.Throws<RefusedException>(() => Mappings.Open("a", writable: true, StoreHarness.Stranger, _other));
        var read = Assert.Throws<RefusedException>(() => Mappings.Open("a", writable: false, StoreHarness.Stranger, _other));

        Assert.Equal(Refusal.PermissionDenied, write.Reason);
        Assert.Equal(Refusal.PermissionDenied, read.Reason);
        Assert.Contains("0640", read.Message, StringComparison.Ordinal);
        Assert.Equal(1, Store.Get("a").MapperCount);
    }

    [Fact]
    public void Open_of_a_missing_region_is_NOT_FOUND()
    {
        var error = Assert.Throws<RefusedException>(() => Mappings.Open("missing", writable: false, StoreHarness.Owner, _session));

        Assert.Equal(Refusal.NotFound, error.Reason);
        Assert.Contains("'missing'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Opening_twice_from_one_session_counts_one_mapper()
    {
        _harness.Create("a", 4096, _session);

        Mappings.Open("a", writable: true, StoreHarness.Owner, _session).Descriptor.Dispose();

        Assert.Equal(1, Store.Get("a").MapperCount);
    }

    [Fact]
    public void Close_removes_the_sessions_mapping_and_a_second_Close_is_NOT_FOUND()
    {
        _harness.Create("a", 4096, _session);
        Mappings.Open("a", writable: true, StoreHarness.Owner, _other).Descriptor.Dispose();

        Mappings.Close("a", _other);
        var error = Assert.Throws<RefusedException>(() => Mappings.Close("a", _other));

        Assert.Equal(1, Store.Get("a").MapperCount);
        Assert.Equal(Refusal.NotFound, error.Reason);
        Assert.Equal(4096, Store.ReservedBytes);
    }

    [Fact]
    public void Delete_of_an_unmapped_region_frees_its_file_metadata_and_capacity_at_once()
    {
        _harness.Create("a", 8192, _session);
        Mappings.Close("a", _session);

        Store.Delete("a", StoreHarness.Owner);

        Assert.Equal(0, Store.Count);
        Assert.Equal(0, Store.ReservedBytes);
        Assert.Empty(_harness.Names("regions"));
        Assert.Empty(_harness.Names("meta"));
        Assert.Empty(_harness.Names("trash"));
        Assert.Equal(Refusal.NotFound, Assert.Throws<RefusedException>(() => Store.Get("a")).Reason);
    }

    [Fact]
    public void Delete_while_mapped_removes_the_name_but_keeps_the_capacity_until_the_mapper_is_removed()
    {
        _harness.Create("a", 8192, _session);

        Store.Delete("a", StoreHarness.Owner);
        var reservedWhileMapped = Store.ReservedBytes;
        var trashWhileMapped = _harness.Names("trash");
        var listedWhileMapped = Store.List().Select(r => r.Name).ToArray();
        Mappings.RemoveMapper(_session);

        Assert.Equal(8192, reservedWhileMapped);
        Assert.Single(trashWhileMapped);
        Assert.StartsWith("a.", trashWhileMapped[0], StringComparison.Ordinal);
        Assert.Empty(listedWhileMapped);
        Assert.Equal(0, Store.ReservedBytes);
        Assert.Empty(_harness.Names("trash"));
        Assert.Empty(_harness.Names("regions"));
    }

    [Fact]
    public void Delete_while_mapped_by_two_sessions_frees_only_after_both_leave()
    {
        _harness.Create("a", 4096, _session);
        Mappings.Open("a", writable: true, StoreHarness.Owner, _other).Descriptor.Dispose();
        Store.Delete("a", StoreHarness.Owner);

        Mappings.Close("a", _session);
        var afterFirst = Store.ReservedBytes;
        Mappings.RemoveMapper(_other);

        Assert.Equal(4096, afterFirst);
        Assert.Equal(0, Store.ReservedBytes);
        Assert.Empty(_harness.Names("trash"));
    }

    [Fact]
    public void A_deleted_name_can_be_created_again_while_the_old_file_is_still_mapped()
    {
        _harness.Create("a", 4096, _session);
        Store.Delete("a", StoreHarness.Owner);

        _harness.Create("a", 8192, _other);
        var bothHeld = Store.ReservedBytes;
        Mappings.Close("a", _session);

        Assert.Equal(4096 + 8192, bothHeld);
        Assert.Equal(8192, Store.ReservedBytes);
        Assert.Equal(8192UL, Store.Get("a").Size);
        Assert.Equal(1, Store.Get("a").MapperCount);
        Assert.Equal(8192, new FileInfo(_harness.RegionPath("a")).Length);
    }

    [Fact]
    public void Delete_by_someone_other_than_the_owner_is_PERMISSION_DENIED()
    {
        _harness.Create("a", 4096, _session, mode: 0b110_110_110);

        var error = Assert.Throws<RefusedException>(() => Store.Delete("a", StoreHarness.Stranger));

        Assert.Equal(Refusal.PermissionDenied, error.Reason);
        Assert.Equal(1, Store.Count);
        Assert.Equal(["a"], _harness.Names("regions"));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(StoreHarness.DaemonUid)]
    public void Root_and_the_daemons_uid_may_delete_anyones_region(uint uid)
    {
        _harness.Create("a", 4096, _session);
        Mappings.Close("a", _session);

        Store.Delete("a", new CallerIdentity(1, uid, uid, []));

        Assert.Equal(0, Store.Count);
    }

    [Fact]
    public void Delete_of_a_missing_region_is_NOT_FOUND()
    {
        Assert.Equal(Refusal.NotFound, Assert.Throws<RefusedException>(() => Store.Delete("nope", StoreHarness.Owner)).Reason);
    }

    [Fact]
    public void RemoveMapper_forgets_every_region_of_the_session()
    {
        _harness.Create("a", 4096, _session);
        _harness.Create("b", 4096, _session);
        Mappings.Open("b", writable: true, StoreHarness.Owner, _other).Descriptor.Dispose();

        Mappings.RemoveMapper(_session);
        Mappings.RemoveMapper(_session);

        Assert.Equal(0, Store.Get("a").MapperCount);
        Assert.Equal(1, Store.Get("b").MapperCount);
        Assert.Equal(2, Store.Count);
    }

    [Fact]
    public void AbandonOpen_of_a_create_removes_the_region_entirely()
    {
        _harness.Create("a", 8192, _session);

        Mappings.AbandonOpen("a", _session, created: true);

        Assert.Equal(0, Store.Count);
        Assert.Equal(0, Store.ReservedBytes);
        Assert.Empty(_harness.Names("regions"));
        Assert.Empty(_harness.Names("meta"));
    }

    [Fact]
    public void AbandonOpen_of_an_open_only_forgets_the_mapping()
    {
        _harness.Create("a", 4096, _session);
        Mappings.Open("a", writable: true, StoreHarness.Owner, _other).Descriptor.Dispose();

        Mappings.AbandonOpen("a", _other, created: false);

        Assert.Equal(1, Store.Get("a").MapperCount);
        Assert.Equal(1, Store.Count);
    }

    [Fact]
    public void List_returns_every_region_in_name_order()
    {
        _harness.Create("b", 4096, _session);
        _harness.Create("C", 4096, _session);
        _harness.Create("a", 4096, _session);

        Assert.Equal(["C", "a", "b"], Store.List().Select(r => r.Name));
    }

    [Fact]
    public void List_pages_after_a_name_and_filters_by_prefix()
    {
        _harness.Create("ab", 4096, _session);
        _harness.Create("aa", 4096, _session);
        _harness.Create("b", 4096, _session);

        var (first, next) = Store.List("a", 1, string.Empty);
        Assert.Equal(["aa"], first.Select(r => r.Name));
        Assert.Equal("aa", next);
        var (second, last) = Store.List("a", 1, next);
        Assert.Equal(["ab"], second.Select(r => r.Name));
        Assert.Equal(string.Empty, last);
        Assert.Equal(["ab", "b"], Store.List(string.Empty, 0, "aa").Regions.Select(r => r.Name));
        Assert.Equal(Refusal.InvalidArgument, Assert.Throws<RefusedException>(() => Store.List("a/", 0, string.Empty)).Reason);
        Assert.Equal(Refusal.InvalidArgument, Assert.Throws<RefusedException>(() => Store.List(string.Empty, 0, ".x")).Reason);
    }

    [Fact]
    public void Watch_of_a_name_that_does_not_exist_is_NOT_FOUND_and_subscribes_nothing()
    {
        _harness.Create("a", 4096, _session);

        var error = Assert.Throws<RefusedException>(() => _harness.Watch(null, ["a", "typo"]));

        Assert.Equal(Refusal.NotFound, error.Reason);
        Assert.Contains("'typo'", error.Message, StringComparison.Ordinal);
        using var watch = _harness.Watch(null, ["a"]);
        Assert.True(watch.Updates.TryRead(out var current));
        Assert.Equal("a", current.Region.Name);
    }

    [Fact]
    public void Get_of_a_bad_name_is_INVALID_ARGUMENT()
    {
        Assert.Equal(Refusal.InvalidArgument, Assert.Throws<RefusedException>(() => Store.Get("../x")).Reason);
    }

    [Fact]
    public void Others_list_only_the_regions_they_may_open_and_the_superusers_list_all()
    {
        _harness.Create("private", 4096, _session, mode: 0b110_000_000);
        _harness.Create("shared", 4096, _session, mode: 0b110_100_100);
        _harness.Create("group", 4096, _session, mode: 0b110_100_000);
        var groupMember = new CallerIdentity(9, 2000, 7, [StoreHarness.Owner.Gid]);

        Assert.Equal(["shared"], Store.List(string.Empty, 0, string.Empty, StoreHarness.Stranger).Regions.Select(r => r.Name));
        Assert.Equal(["group", "shared"], Store.List(string.Empty, 0, string.Empty, groupMember).Regions.Select(r => r.Name));
        Assert.Equal(["group", "private", "shared"], Store.List(string.Empty, 0, string.Empty, StoreHarness.Root0).Regions.Select(r => r.Name));
        Assert.Equal(["group", "private", "shared"], Store.List(string.Empty, 0, string.Empty, StoreHarness.Owner).Regions.Select(r => r.Name));
    }

    [Fact]
    public void Get_shows_a_region_only_to_who_may_open_it_and_who_maps_it_only_to_its_owner_and_root()
    {
        _harness.Create("private", 4096, _session, mode: 0b110_000_000);
        _harness.Create("shared", 4096, _session, mode: 0b110_100_100);
        Mappings.Open("shared", writable: false, StoreHarness.Stranger, _other).Descriptor.Dispose();

        var denied = Assert.Throws<RefusedException>(() => Store.Get("private", StoreHarness.Stranger));
        var asStranger = Store.Get("shared", StoreHarness.Stranger);
        var asOwner = Store.Get("shared", StoreHarness.Owner);
        var asRoot = Store.Get("shared", StoreHarness.Root0);

        Assert.Equal(Refusal.PermissionDenied, denied.Reason);
        Assert.Equal(2, asStranger.MapperCount);
        Assert.Empty(asStranger.Mappers);
        Assert.Equal(2, asOwner.Mappers.Count);
        Assert.Equal(2, asRoot.Mappers.Count);
    }

    [Fact]
    public async Task A_watch_of_everything_shows_only_what_the_watcher_may_open()
    {
        _harness.Create("private", 4096, _session, mode: 0b110_000_000);
        _harness.Create("shared", 4096, _session, mode: 0b110_100_100);
        var store = Store;
        using var watch = _harness.Watches.Subscribe(null, [], StoreHarness.Stranger.Uid, region => store.MaySee(StoreHarness.Stranger, region));
        Store.SendCurrent(watch, null, [], StoreHarness.Stranger);

        await _harness.Resizer.ResizeAsync("private", 8192, 0, StoreHarness.Owner, CancellationToken.None);
        await _harness.Resizer.ResizeAsync("shared", 8192, 0, StoreHarness.Owner, CancellationToken.None);
        var seen = new List<string>();
        while (watch.Updates.TryRead(out var update))
        {
            seen.Add($"{update.Kind} {update.Region.Name}");
        }

        Assert.Equal(["Current shared", "Resized shared"], seen);
        Assert.Equal(Refusal.PermissionDenied, Assert.Throws<RefusedException>(() => Store.CheckExist(["private"], StoreHarness.Stranger)).Reason);
    }
}
