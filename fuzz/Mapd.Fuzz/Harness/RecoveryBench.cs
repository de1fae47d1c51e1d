using Mapd.Server;
using Mapd.Server.Regions;
using Mapd.Server.Storage;
using Mapd.Server.Watches;
using Mapd.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Mapd.Fuzz.Harness;

/// <summary>
/// A storage directory that a restarted daemon recovers: each time, it holds exactly one metadata
/// file and one region file, and a new <see cref="RegionStore"/> recovers it as start-up does.
/// </summary>
public sealed class RecoveryBench : IDisposable
{
    private readonly ScratchDirectory _scratch = new("mapd-fuzz-recovery-");
    private readonly StorageRoot _storage;

    // A clock that never moves: the recovery window never ends while the store is looked at, and
    // its timer never fires on another thread during the next input.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Opens a 64 MiB storage in /dev/shm.</summary>
    public RecoveryBench()
    {
        _storage = StorageRoot.Open(new StorageOptions { Path = _scratch.Join("storage"), Size = "64M" }, NullLogger.Instance);
    }

    /// <summary>
    /// Recovers a storage whose <c>meta/</c> holds <paramref name="metadata"/> as
    /// <paramref name="metaName"/> and whose <c>regions/</c> holds <paramref name="fileName"/> of
    /// <paramref name="fileLength"/> bytes (sparse); returns what the store then says about
    /// <paramref name="fileName"/>, or null when it holds no such region.
    /// </summary>
    public RegionSnapshot? Recover(string metaName, ReadOnlySpan<byte> metadata, string fileName, long fileLength)
    {
        Clear();
        File.WriteAllBytes(Path.Join(_storage.Path, "meta", metaName), metadata.ToArray());
        using (var file = File.Create(Path.Join(_storage.Path, "regions", fileName)))
        {
            file.SetLength(fileLength);
        }

        using var descriptors = new DescriptorCache(4);
        using var store = new RegionStore(
            _storage, new RegionPermissions(0), new RegionLimits(0, 64, TimeSpan.FromSeconds(1)), descriptors, new WatchHub(), NullLogger<RegionStore>.Instance, _clock);
        store.Recover(TimeSpan.FromHours(1));
        return store.List().FirstOrDefault(r => r.Name == fileName);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _storage.Dispose();
        _scratch.Dispose();
    }

    private void Clear()
    {
        foreach (var directory in new[] { "meta", "regions", "trash" })
        {
            foreach (var entry in Directory.EnumerateFiles(Path.Join(_storage.Path, directory)))
            {
                File.Delete(entry);
            }
        }
    }
}
