using System.Diagnostics;
using System.Text;
using Mapd.Server.Errors;
using Mapd.Server.Regions;

namespace Mapd.Server.Tests.Regions;

/// <summary>
/// What recovery does with files in the storage directory that mapd never writes: it sets them
/// aside in <c>quarantine/</c> and starts anyway, with every good region intact.
/// </summary>
public sealed class RecoveryQuarantineTests : IDisposable
{
    private readonly StoreHarness _harness = new(capacity: "1M");
    private readonly TestMapper _session = new("session-1");

    public void Dispose() => _harness.Dispose();

    private RegionStore Store => _harness.Store;

    private string Meta(string name) => Path.Join(_harness.StoragePath, "meta", name);

    [Fact]
    public void A_symlink_in_meta_is_quarantined_with_its_region_and_the_rest_recovers()
    {
        _harness.Create("good", 4096, _session);
        _harness.Create("linked", 4096, _session);

        _harness.Restart(() =>
        {
            File.Delete(Meta("linked.json"));
            File.CreateSymbolicLink(Meta("linked.json"), "/etc/passwd");
        });

        Assert.Equal(4096UL, Store.Get("good").Size);
        Assert.Equal(Refusal.NotFound, Assert.Throws<RefusedException>(() => Store.Get("linked")).Reason);
        Assert.Equal(["good.json"], _harness.Names("meta"));
        Assert.Equal(["good"], _harness.Names("regions"));
        var quarantined = _harness.Names("quarantine");
        Assert.Equal(2, quarantined.Length);
        Assert.Contains(quarantined, n => n.StartsWith("meta.linked.json.", StringComparison.Ordinal));
        Assert.Contains(quarantined, n => n.StartsWith("regions.linked.", StringComparison.Ordinal));
        Assert.True(File.Exists("/etc/passwd"));
    }

    [Fact]
    public void A_directory_in_meta_is_quarantined()
    {
        _harness.Create("good", 4096, _session);

        _harness.Restart(() => Directory.CreateDirectory(Meta("dir.json")));

        Assert.Equal(1, Store.Count);
        Assert.Single(_harness.Names("quarantine"), n => n.StartsWith("meta.dir.json.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_FIFO_in_meta_does_not_hang_start_up_and_is_quarantined()
    {
        _harness.Create("good", 4096, _session);

        // A blocking open of a FIFO with no writer would never return.
        await Task.Run(() => _harness.Restart(() => MakeFifo(Meta("fifo.json")))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, Store.Count);
        Assert.Single(_harness.Names("quarantine"), n => n.StartsWith("meta.fifo.json.", StringComparison.Ordinal));
    }

    [Fact]
    public void A_FIFO_left_where_a_temporary_metadata_file_goes_is_quarantined_not_opened()
    {
        _harness.Create("good", 4096, _session);

        _harness.Restart(() => MakeFifo(Meta(".good.json.tmp")));
        _harness.Create("later", 4096, _session);

        Assert.Single(_harness.Names("quarantine"), n => n.StartsWith("meta..good.json.tmp.", StringComparison.Ordinal));
        Assert.Equal(["good.json", "later.json"], _harness.Names("meta"));
    }

    [Fact]
    public void Oversized_metadata_is_quarantined_without_being_read()
    {
        _harness.Create("good", 4096, _session);
        _harness.Create("huge", 4096, _session);

        _harness.Restart(() => File.WriteAllBytes(Meta("huge.json"), new byte[17 << 20]));

        Assert.Equal(["good"], Store.List().Select(r => r.Name).ToArray());
        Assert.Equal(2, _harness.Names("quarantine").Length);
    }

    [Theory]
    [InlineData(9_223_372_036_854_775_808UL)]
    [InlineData(18_446_744_073_709_551_615UL)]
    [InlineData(1UL << 50)]
    public void Metadata_giving_a_size_no_region_can_have_is_quarantined(ulong size)
    {
        _harness.Create("good", 4096, _session);
        _harness.Create("absurd", 4096, _session);

        _harness.Restart(() =>
        {
            var json = File.ReadAllText(Meta("absurd.json"));
            File.WriteAllText(Meta("absurd.json"), json.Replace("\"size\": 4096", $"\"size\": {size}", StringComparison.Ordinal));
        });

        Assert.Equal(["good"], Store.List().Select(r => r.Name).ToArray());
        Assert.Equal(4096, Store.ReservedBytes);
        Assert.Contains(_harness.Names("quarantine"), n => n.StartsWith("meta.absurd.json.", StringComparison.Ordinal));
    }

    [Fact]
    public void A_region_file_that_is_not_a_regular_file_is_quarantined_with_its_metadata()
    {
        _harness.Create("good", 4096, _session);
        _harness.Create("swapped", 4096, _session);

        _harness.Restart(() =>
        {
            File.Delete(_harness.RegionPath("swapped"));
            MakeFifo(_harness.RegionPath("swapped"));
        });

        Assert.Equal(1, Store.Count);
        Assert.Equal(2, _harness.Names("quarantine").Length);
        Assert.Equal(["good.json"], _harness.Names("meta"));
    }

    [Fact]
    public void Strays_without_metadata_in_regions_and_trash_are_quarantined()
    {
        _harness.Create("good", 4096, _session);

        _harness.Restart(() =>
        {
            Directory.CreateDirectory(_harness.RegionPath("stray"));
            File.CreateSymbolicLink(Path.Join(_harness.StoragePath, "trash", "link.1"), "/etc/shadow");
        });

        Assert.Equal(4096UL, Store.Get("good").Size);
        Assert.Equal(["good"], _harness.Names("regions"));
        Assert.Empty(_harness.Names("trash"));
        Assert.Equal(2, _harness.Names("quarantine").Length);
    }

    [Fact]
    public void Quarantined_names_stay_within_NAME_MAX_even_for_the_longest_names()
    {
        var longest = new string('n', 200);
        _harness.Create("good", 4096, _session);

        _harness.Restart(() => Directory.CreateDirectory(Meta(longest + ".json")));

        Assert.All(_harness.Names("quarantine"), n => Assert.True(Encoding.UTF8.GetByteCount(n) <= 255, n));
        Assert.Single(_harness.Names("quarantine"));
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }
}
