using Mapd.Server.Errors;
using Mapd.Server.Peers;
using Mapd.Server.Regions;
using Mapd.Server.Storage;

namespace Mapd.Server.Tests.Regions;

/// <summary>What a restarted daemon finds in its storage directory, and how recovery (<see cref="RegionStore.Recover"/>) repairs it.</summary>
public sealed class CatalogRecoveryTests : IDisposable
{
    private readonly StoreHarness _harness = new(capacity: "1M");
    private readonly TestMapper _session = new("session-1");

    private RegionStore Store => _harness.Store;

    private RegionMappings Mappings => _harness.Mappings;

    private RegionResizer Resizer => _harness.Resizer;

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void A_second_store_cannot_open_the_directory_while_the_first_holds_it()
    {
        var error = Assert.Throws<StartupException>(() => StorageRoot.Open(new StorageOptions { Path = _harness.StoragePath }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));

        Assert.Contains("locked by another running mapd", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Regions_survive_a_restart_with_their_metadata_and_accounting()
    {
        var created = _harness.Create("a", 5000, _session, mode: 0b110_100_000);
        _harness.Create("b", 4096, _session);
        var reserved = Store.ReservedBytes;

        _harness.Restart();

        Assert.Equal(2, Store.Count);
        Assert.Equal(reserved, Store.ReservedBytes);
        var a = Store.Get("a");
        Assert.Equal(created.Size, a.Size);
        Assert.Equal(created.Generation, a.Generation);
        Assert.Equal(created.Mode, a.Mode);
        Assert.Equal(created.OwnerUid, a.OwnerUid);
        Assert.Equal(created.CreatedAt, a.CreatedAt);
        Assert.Equal(0, a.MapperCount);
    }

    [Fact]
    public void A_region_file_without_metadata_is_removed()
    {
        _harness.Create("kept", 4096, _session);

        _harness.Restart(() => File.WriteAllBytes(_harness.RegionPath("orphan"), new byte[8192]));

        Assert.Equal(["kept"], _harness.Names("regions"));
        Assert.Equal(4096, Store.ReservedBytes);
        Assert.Equal(Refusal.NotFound, Assert.Throws<RefusedException>(() => Store.Get("orphan")).Reason);
    }

    [Fact]
    public void A_file_longer_than_its_metadata_is_cut_back()
    {
        _harness.Create("a", 4096, _session);

        _harness.Restart(() => File.AppendAllText(_harness.RegionPath("a"), new string('x', 10_000)));

        Assert.Equal(4096, new FileInfo(_harness.RegionPath("a")).Length);
        Assert.Equal(4096UL, Store.Get("a").Size);
        Assert.Equal(4096, Store.ReservedBytes);
    }

    [Fact]
    public void A_file_shorter_than_its_metadata_is_grown_back()
    {
        _harness.Create("a", 8192, _session);

        _harness.Restart(() =>
        {
            using var stream = new FileStream(_harness.RegionPath("a"), FileMode.Open);
            stream.SetLength(100);
        });

        Assert.Equal(8192, new FileInfo(_harness.RegionPath("a")).Length);
    }

    [Fact]
    public void A_temporary_metadata_file_from_an_interrupted_write_is_removed()
    {
        _harness.Create("a", 4096, _session);

        _harness.Restart(() => File.WriteAllText(Path.Join(_harness.StoragePath, "meta", ".a.json.tmp"), "{ half written"));

        Assert.Equal(["a.json"], _harness.Names("meta"));
        Assert.Equal(4096UL, Store.Get("a").Size);
    }

    [Fact]
    public void Metadata_without_its_file_is_dropped()
    {
        _harness.Create("a", 4096, _session);

        _harness.Restart(() => File.Delete(_harness.RegionPath("a")));

        Assert.Equal(0, Store.Count);
        Assert.Empty(_harness.Names("meta"));
        Assert.Equal(0, Store.ReservedBytes);
    }

    [Fact]
    public void Metadata_naming_another_region_is_skipped_and_left_for_the_operator()
    {
        _harness.Create("a", 4096, _session);

        _harness.Restart(() => File.Copy(_harness.MetadataPath("a"), _harness.MetadataPath("b")));

        Assert.Equal(1, Store.Count);
        Assert.Equal(["a.json", "b.json"], _harness.Names("meta"));
    }

    [Fact]
    public void Metadata_that_is_not_json_is_skipped_and_left_for_the_operator()
    {
        _harness.Create("a", 4096, _session);

        _harness.Restart(() => File.WriteAllText(_harness.MetadataPath("garbage"), "not json"));

        Assert.Equal(1, Store.Count);
        Assert.Contains("garbage.json", _harness.Names("meta"));
    }

    [Fact]
    public void The_file_of_unreadable_metadata_is_kept_for_the_operator_too()
    {
        _harness.Create("a", 4096, _session);
        File.WriteAllText(_harness.RegionPath("a"), "precious");

        _harness.Restart(() =>
        {
            var newer = File.ReadAllText(_harness.MetadataPath("a")).Replace("\"version\": 1", "\"version\": 2", StringComparison.Ordinal);
            File.WriteAllText(_harness.MetadataPath("a"), newer);
        });

        Assert.Equal(["a.json"], _harness.Names("meta"));
        Assert.Equal(["a"], _harness.Names("regions"));
    }

    [Fact]
    public void A_deleted_region_still_mapped_at_the_crash_is_held_for_the_recovery_window_then_freed()
    {
        _harness.Create("a", 512 * 1024, _session);
        Store.Delete("a", StoreHarness.Owner);

        _harness.Restart();
        var heldAtStart = (Store.ReservedBytes, _harness.Names("trash").Length);
        _harness.Time.Advance(StoreHarness.RecoveryWindow - TimeSpan.FromSeconds(1));
        var heldBeforeEnd = (Store.ReservedBytes, _harness.Names("trash").Length);
        _harness.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal((512 * 1024L, 1), heldAtStart);
        Assert.Equal((512 * 1024L, 1), heldBeforeEnd);
        Assert.Equal(0, Store.ReservedBytes);
        Assert.Empty(_harness.Names("trash"));
    }

    [Fact]
    public void Held_trash_counts_against_capacity_until_the_window_passes()
    {
        _harness.Create("a", 768 * 1024, _session);
        Store.Delete("a", StoreHarness.Owner);
        _harness.Restart();

        var error = Assert.Throws<RefusedException>(() => _harness.Create("b", 512 * 1024, _session));
        _harness.Time.Advance(StoreHarness.RecoveryWindow);
        _harness.Create("b", 512 * 1024, _session);

        Assert.Equal(Refusal.ResourceExhausted, error.Reason);
        Assert.Equal(512 * 1024, Store.ReservedBytes);
    }

    [Fact]
    public void An_empty_storage_needs_no_recovery_window()
    {
        _harness.Restart();

        Assert.Equal(0, _harness.Time.ActiveTimers);
    }

    [Fact]
    public void Recovered_regions_get_a_recovery_window_that_leaves_no_timer_running_when_it_ends()
    {
        _harness.Create("a", 4096, _session);

        _harness.Restart();
        var inWindow = _harness.Time.ActiveTimers;
        _harness.Time.Advance(StoreHarness.RecoveryWindow);

        Assert.Equal(1, inWindow);
        Assert.Equal(0, _harness.Time.ActiveTimers);
    }

    [Fact]
    public void Dispose_stops_the_recovery_timer()
    {
        _harness.Create("a", 4096, _session);
        Store.Delete("a", StoreHarness.Owner);
        _harness.Restart();
        var running = _harness.Time.ActiveTimers;

        Store.Dispose();

        Assert.Equal(1, running);
        Assert.Equal(0, _harness.Time.ActiveTimers);
    }

    [Fact]
    public void Held_trash_is_released_when_the_window_ends_even_if_the_wall_clock_stepped_back()
    {
        _harness.Create("a", 4096, _session);
        Store.Delete("a", StoreHarness.Owner);
        _harness.Restart();

        _harness.Time.AdjustTime(_harness.Time.GetUtcNow() - TimeSpan.FromSeconds(5));
        _harness.Time.Advance(StoreHarness.RecoveryWindow);

        Assert.Empty(_harness.Names("trash"));
        Assert.Equal(0, Store.ReservedBytes);
    }

    [Fact]
    public void Regions_created_after_a_restart_are_persisted_like_any_other()
    {
        _harness.Restart();
        _harness.Create("new", 4096, _session);

        _harness.Restart();

        Assert.Equal(4096UL, Store.Get("new").Size);
    }

    [Fact]
    public void A_stray_directory_in_regions_does_not_stop_recovery()
    {
        _harness.Create("a", 4096, _session);

        var error = Record.Exception(() => _harness.Restart(() => Directory.CreateDirectory(_harness.RegionPath("stray"))));

        Assert.Null(error);
        Assert.Equal(4096UL, Store.Get("a").Size);
    }
}
