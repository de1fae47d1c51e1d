using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Mapd.Client;
using Mapd.IntegrationTests.Infrastructure;
using Status = Mapd.IntegrationTests.Infrastructure.Status;

namespace Mapd.IntegrationTests;

/// <summary>
/// Regions change size while other processes read and write them: no byte copied, no reader
/// blocked, no mapping invalidated while anyone may still be inside it.
/// </summary>
public sealed class ResizeTests
{
    private const long MiB = 1 << 20;

    [Fact]
    public async Task Three_reader_processes_see_only_right_bytes_while_another_process_resizes_500_times()
    {
        await using var daemon = await MapdDaemon.StartAsync("512M");
        await using (var mapd = await daemon.ConnectAsync())
        await using (await mapd.CreateAsync("busy", 8 * MiB))
        {
        }

        Assert.Equal("ok stamped 8388608", await ClientProcess.RunAsync(daemon, null, "stamp", "busy"));
        var readers = Enumerable.Range(0, 3).Select(_ => ClientProcess.Start(daemon, null, "readers", "busy", "2")).ToList();
        try
        {
            foreach (var reader in readers)
            {
                Assert.Equal("ok reading", await reader.ReadLineAsync());
            }

            var resized = await ClientProcess.RunAsync(daemon, null, "resizer", "busy", (4 * MiB).ToString(CultureInfo.InvariantCulture), (64 * MiB).ToString(CultureInfo.InvariantCulture), "500");
            Assert.StartsWith("ok resizes 500 retries 0", resized);

            foreach (var reader in readers)
            {
                reader.CloseInput();
                var report = await reader.ReadLineAsync();
                Assert.Matches(@"^ok reads \d+ errors 0 sizes \d+$", report);
                Assert.Equal(0, await reader.WaitForExitAsync());
            }
        }
        finally
        {
            foreach (var reader in readers)
            {
                await reader.DisposeAsync();
            }
        }

        await using var check = await daemon.ConnectAsync();
        var region = await check.GetAsync("busy");
        Assert.Equal(0, region.PendingSize);
        Assert.True(region.Generation > 500, $"generation {region.Generation} after 500 resizes");
        Assert.Equal(region.Size, new FileInfo(Path.Join(daemon.StoragePath, "regions", "busy")).Length);
    }

    [Fact]
    public async Task A_grow_is_committed_and_visible_in_every_mapper_without_moving_when_reserved()
    {
        await using var daemon = await MapdDaemon.StartAsync();
        await using var mapd = await daemon.ConnectAsync();
        await using var writer = await mapd.CreateAsync("grow", 4 * MiB, maxSize: 64 * MiB);
        await using var other = await daemon.ConnectAsync();
        await using var reader = await other.OpenAsync("grow", RegionAccess.ReadOnly);
        Assert.Equal(64 * MiB, reader.ReservedSize);
        nint before;
        using (var lease = reader.AcquireLease())
        {
            before = lease.Address;
        }

        var changes = reader.ChangesAsync().GetAsyncEnumerator();
        var info = await writer.ResizeAsync(32 * MiB);
        Assert.Equal(32 * MiB, info.Size);
        Assert.Equal(2UL, info.Generation);
        Assert.Equal(32 * MiB, writer.Size);
        using (var lease = writer.AcquireLease())
        {
            lease.GetSpan(lease.Length - 1, 1)[0] = 0x5a;
        }

        Assert.True(await changes.MoveNextAsync());
        Assert.Equal(new RegionChange(RegionChangeKind.Grown, 32 * MiB, 2, Moved: false), changes.Current);
        using (var lease = reader.AcquireLease())
        {
            Assert.Equal(before, lease.Address);
            Assert.Equal(0x5a, lease.GetReadOnlySpan(lease.Length - 1, 1)[0]);
        }
    }

    [Fact]
    public async Task A_grow_past_the_reservation_remaps_elsewhere_and_unmaps_the_old_mapping_after_its_last_lease()
    {
        await using var daemon = await MapdDaemon.StartAsync("512M");
        await using var mapd = await daemon.ConnectAsync(new MapdClientOptions { ReservationFactor = 1, MinimumReservation = 0 });
        await using var region = await mapd.CreateAsync("move", 2 * MiB);
        SharingTests.Fill(region, 17);
        var old = region.AcquireLease();
        var changes = region.ChangesAsync().GetAsyncEnumerator();

        await region.ResizeAsync(1100 * MiB / 4);
        Assert.True(await changes.MoveNextAsync());
        Assert.True(changes.Current.Moved);
        using (var fresh = region.AcquireLease())
        {
            Assert.NotEqual(old.Address, fresh.Address);
            Assert.Equal(0, fresh.Address % (2 * MiB));
        }

        // The old lease still reads the old mapping: it stays mapped until this lease ends.
        Assert.Equal(-1, FindMismatch(old, 17));
        var oldAddress = old.Address;
        old.Dispose();
        Assert.DoesNotContain(File.ReadLines("/proc/self/maps"), line => line.StartsWith(oldAddress.ToString("x", CultureInfo.InvariantCulture) + "-", StringComparison.Ordinal));
        Assert.Equal(-1, SharingTests.FindMismatch(region, 17, 2 * MiB));
    }

    [Fact]
    public async Task A_shrink_waits_for_every_mapper_and_commits_within_a_second_of_a_killed_holder()
    {
        await using var daemon = await MapdDaemon.StartAsync();
        await using var mapd = await daemon.ConnectAsync();
        await using (await mapd.CreateAsync("shrink", 8 * MiB))
        {
        }

        await using var holder = ClientProcess.Start(daemon, null, "hold-lease", "shrink");
        Assert.Equal("ok holding 8388608", await holder.ReadLineAsync());

        var announced = await mapd.ResizeAsync("shrink", 2 * MiB);
        Assert.Equal(8 * MiB, announced.Size);
        Assert.Equal(2 * MiB, announced.PendingSize);

        // The holder's lease keeps the tail mapped there, so the file keeps its size.
        await Task.Delay(300);
        Assert.Equal(8 * MiB, new FileInfo(Path.Join(daemon.StoragePath, "regions", "shrink")).Length);
        var details = await mapd.GetDetailsAsync("shrink", CancellationToken.None);
        Assert.Contains(details.MapperDetails, m => m.Pid == holder.Pid && m.Blocking);

        var killed = Stopwatch.StartNew();
        holder.Kill();
        await SessionTests.Eventually(async () => (await mapd.GetAsync("shrink")).PendingSize == 0);
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(1), $"shrink committed {killed.Elapsed.TotalMilliseconds} ms after the holder died");
        var committed = await mapd.GetAsync("shrink");
        Assert.Equal(2 * MiB, committed.Size);
        Assert.Equal(2 * MiB, new FileInfo(Path.Join(daemon.StoragePath, "regions", "shrink")).Length);
    }

    [Fact]
    public async Task A_mapper_that_never_releases_gets_a_hole_punched_survives_touching_its_mapping_and_the_truncate_follows_its_exit()
    {
        await using var daemon = await MapdDaemon.StartAsync("256M", new Dictionary<string, string> { ["Mapd:Grace:Timeout"] = "00:00:01" });
        await using var mapd = await daemon.ConnectAsync();
        await using (await mapd.CreateAsync("laggard", 32 * MiB))
        {
        }

        var file = Path.Join(daemon.StoragePath, "regions", "laggard");
        await using var holder = ClientProcess.Start(daemon, null, "hold-lease", "laggard");
        Assert.Equal("ok holding 33554432", await holder.ReadLineAsync());
        var allocatedBefore = AllocatedBytes(file);
        Assert.True(allocatedBefore >= 32 * MiB, $"{allocatedBefore} bytes allocated after filling 32 MiB");

        await mapd.ResizeAsync("laggard", 4 * MiB);
        await SessionTests.Eventually(async () => (await mapd.GetDetailsAsync("laggard", CancellationToken.None)).PendingShrink?.HolePunched == true);
        Assert.True(AllocatedBytes(file) <= 4 * MiB + (64 * 1024), $"{AllocatedBytes(file)} bytes still allocated after the hole was punched");
        Assert.Equal(32 * MiB, new FileInfo(file).Length);
        await daemon.WaitForLogAsync("punched a hole");
        await daemon.WaitForLogAsync($"pid {holder.Pid}");

        // Touching every byte of its old mapping, tail included, must not kill it.
        await holder.WriteLineAsync("touch");
        Assert.Equal("ok touched 33554432", await holder.ReadLineAsync());

        holder.CloseInput();
        Assert.Equal(0, await holder.WaitForExitAsync());
        await SessionTests.Eventually(async () => (await mapd.GetAsync("laggard")).PendingSize == 0);
        Assert.Equal(4 * MiB, new FileInfo(file).Length);
    }

    [Fact]
    public async Task Compare_and_set_and_ordering_of_resizes()
    {
        await using var daemon = await MapdDaemon.StartAsync();
        await using var mapd = await daemon.ConnectAsync();
        await using var region = await mapd.CreateAsync("cas", 1 * MiB);

        var (code, message) = await Status.Of(() => mapd.ResizeAsync("cas", 2 * MiB, expectedGeneration: 7));
        Assert.Equal(StatusCode.FailedPrecondition, code);
        Assert.Contains("generation 1, not 7", message, StringComparison.Ordinal);

        var grown = await mapd.ResizeAsync("cas", 2 * MiB, expectedGeneration: 1);
        Assert.Equal(2UL, grown.Generation);

        // Concurrent compare-and-set from the same generation: exactly one wins.
        var attempts = await Task.WhenAll(Enumerable.Range(1, 8).Select(i => Status.Of(() => mapd.ResizeAsync("cas", (2 + i) * MiB, expectedGeneration: 2))));
        Assert.Single(attempts, a => a.Code == StatusCode.OK);
        Assert.Equal(7, attempts.Count(a => a.Code == StatusCode.FailedPrecondition));
        Assert.Equal(3UL, (await mapd.GetAsync("cas")).Generation);

        Assert.Equal(StatusCode.InvalidArgument, (await Status.Of(() => mapd.ResizeAsync("cas", 0))).Code);
        Assert.Equal(StatusCode.NotFound, (await Status.Of(() => mapd.ResizeAsync("nope", MiB))).Code);
        Assert.Equal(StatusCode.InvalidArgument, (await Status.Of(() => mapd.ResizeAsync("cas", 300 * MiB))).Code);
        await using (await mapd.CreateAsync("filler", 200 * MiB))
        {
        }

        var (full, why) = await Status.Of(() => mapd.ResizeAsync("cas", 100 * MiB));
        Assert.Equal(StatusCode.ResourceExhausted, full);
        Assert.Contains("grow region 'cas'", why, StringComparison.Ordinal);

        // A shrink nobody else maps commits at once (this session maps it, so it releases first).
        await region.ResizeAsync(MiB);
        await SessionTests.Eventually(async () => (await mapd.GetAsync("cas")).Size == MiB);
    }

    [Fact]
    public async Task Sigkill_of_the_daemon_during_resizes_keeps_sizes_generations_and_bytes_consistent_and_clients_reconnect()
    {
        await using var daemon = await MapdDaemon.StartAsync("512M");
        await using (var mapd = await daemon.ConnectAsync())
        await using (await mapd.CreateAsync("crash", 8 * MiB))
        {
        }

        Assert.Equal("ok stamped 8388608", await ClientProcess.RunAsync(daemon, null, "stamp", "crash"));
        await using var reader = ClientProcess.Start(daemon, null, "readers", "crash", "2");
        Assert.Equal("ok reading", await reader.ReadLineAsync());
        await using var resizer = ClientProcess.Start(daemon, null, "resizer", "crash", (4 * MiB).ToString(CultureInfo.InvariantCulture), (48 * MiB).ToString(CultureInfo.InvariantCulture), "300");

        // Kill the daemon in the middle of the resizer's run, whatever the machine's speed.
        await using (var watcher = await daemon.ConnectAsync())
        {
            await SessionTests.Eventually(async () => (await watcher.GetAsync("crash")).Generation >= 20);
        }

        await daemon.KillAsync();
        await daemon.RestartAsync();

        var resized = await resizer.ReadLineAsync();
        Assert.StartsWith("ok resizes 300", resized);
        reader.CloseInput();
        Assert.Matches(@"^ok reads \d+ errors 0 sizes \d+$", await reader.ReadLineAsync());

        await using var check = await daemon.ConnectAsync();
        await SessionTests.Eventually(async () => (await check.GetAsync("crash")).PendingSize == 0);
        var region = await check.GetAsync("crash");
        Assert.Equal(region.Size, new FileInfo(Path.Join(daemon.StoragePath, "regions", "crash")).Length);
        var generation = ulong.Parse(resized.Split(' ')[^1], CultureInfo.InvariantCulture);
        Assert.True(region.Generation >= generation, $"daemon generation {region.Generation} is behind the resizer's {generation}");
        Assert.Equal("ok stamped " + region.Size, await ClientProcess.RunAsync(daemon, null, "stamp", "crash"));
    }

    private static long AllocatedBytes(string path)
    {
        using var directory = Native.DirectoryHandle.Open(Path.GetDirectoryName(path)!);
        return directory.TryStat(Path.GetFileName(path))!.Value.AllocatedBytes;
    }

    private static unsafe long FindMismatch(RegionLease lease, ulong seed) => TestClient.Pattern.FindMismatch(lease.Pointer, lease.Length, seed);
}
