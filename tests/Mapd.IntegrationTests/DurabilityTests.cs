using Grpc.Core;
using Mapd.IntegrationTests.Infrastructure;
using Status = Mapd.IntegrationTests.Infrastructure.Status;

namespace Mapd.IntegrationTests;

/// <summary>Regions and their bytes survive SIGKILL of the daemon; what a crash leaves half done is repaired.</summary>
public sealed class DurabilityTests
{
    [Fact]
    public async Task Sigkill_and_restart_keep_every_region_its_metadata_and_its_bytes()
    {
        await using var daemon = await MapdDaemon.StartAsync();
        var regions = new[] { ("kill-a", 4096L, "0600", 11UL), ("kill-b", 3L << 20, "0640", 12UL), ("kill-c", (5L << 20) + 8, "0666", 13UL) };
        foreach (var (name, size, mode, seed) in regions)
        {
            Assert.StartsWith("ok", await ClientProcess.RunAsync(daemon, null, "create-write", name, size.ToString(System.Globalization.CultureInfo.InvariantCulture), seed.ToString(System.Globalization.CultureInfo.InvariantCulture), mode));
        }

        IReadOnlyList<Client.RegionInfo> before;
        await using (var mapd = await daemon.ConnectAsync())
        {
            before = await mapd.ListAsync();
        }

        await daemon.KillAsync();
        await daemon.RestartAsync();

        await using (var mapd = await daemon.ConnectAsync())
        {
            var after = await mapd.ListAsync();
            Assert.Equal(before.Select(r => r with { Mappers = 0 }), after);
        }

        foreach (var (name, size, _, seed) in regions)
        {
            Assert.Equal($"ok verified {size}", await ClientProcess.RunAsync(daemon, null, "verify", name, seed.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    [Fact]
    public async Task Client_mappings_keep_working_while_the_daemon_is_down_and_after_it_returns()
    {
        await using var daemon = await MapdDaemon.StartAsync();
        Assert.StartsWith("ok", await ClientProcess.RunAsync(daemon, null, "create-write", "down", "2097152", "21"));
        await using var holder = ClientProcess.Start(daemon, null, "hold", "down", "21");
        Assert.Equal("ok verified 2097152", await holder.ReadLineAsync());

        await daemon.KillAsync();
        await holder.WriteLineAsync("check");
        Assert.Equal("ok verified 2097152", await holder.ReadLineAsync());

        await daemon.RestartAsync();
        Assert.Equal("ok wrote 2097152", await ClientProcess.RunAsync(daemon, null, "write", "down", "22"));
        await holder.WriteLineAsync("check");
        Assert.StartsWith("error Mismatch", await holder.ReadLineAsync());
        Assert.Equal("ok verified 2097152", await ClientProcess.RunAsync(daemon, null, "verify", "down", "22"));
    }

    [Fact]
    public async Task After_a_restart_clients_re_register_by_themselves_and_shrinks_wait_for_them()
    {
        await using var daemon = await MapdDaemon.StartAsync("256M", new Dictionary<string, string> { ["Mapd:Grace:RecoveryWindow"] = "00:00:03" });
        Assert.StartsWith("ok", await ClientProcess.RunAsync(daemon, null, "create-write", "back", "4194304", "71"));
        await using var holder = ClientProcess.Start(daemon, null, "hold", "back", "71");
        Assert.Equal("ok verified 4194304", await holder.ReadLineAsync());

        await daemon.KillAsync();
        await daemon.RestartAsync();

        // The holder's library reconnects and re-opens "back" without being asked.
        await using var mapd = await daemon.ConnectAsync();
        await SessionTests.Eventually(async () => (await mapd.GetDetailsAsync("back", CancellationToken.None)).MapperDetails.Any(m => m.Pid == holder.Pid));

        // A shrink now waits for it, and its library applies and releases it on its own.
        var announced = await mapd.ResizeAsync("back", 1 << 20);
        Assert.Equal(1 << 20, announced.PendingSize);
        await SessionTests.Eventually(async () => (await mapd.GetAsync("back")).Size == 1 << 20);
        await holder.WriteLineAsync("check");
        Assert.Equal("ok verified 1048576", await holder.ReadLineAsync());
    }

    [Fact]
    public async Task A_shrink_asked_for_after_a_restart_waits_out_the_recovery_window_for_a_mapper_not_back_yet()
    {
        // The window must outlast a restart on a loaded machine: the test looks inside it.
        await using var daemon = await MapdDaemon.StartAsync("256M", new Dictionary<string, string> { ["Mapd:Grace:RecoveryWindow"] = "00:00:15" });
        await using (var mapd = await daemon.ConnectAsync())
        await using (await mapd.CreateAsync("late", 8 << 20))
        {
        }

        Assert.Equal("ok stamped 8388608", await ClientProcess.RunAsync(daemon, null, "stamp", "late"));
        await using var readers = ClientProcess.Start(daemon, null, "readers", "late", "2");
        Assert.Equal("ok reading", await readers.ReadLineAsync());

        // Frozen across the crash, the readers come back only after another session shrank the region.
        readers.Pause();
        await daemon.KillAsync();
        await daemon.RestartAsync();
        await using var again = await daemon.ConnectAsync();
        var announced = await again.ResizeAsync("late", 2 << 20);

        // Nobody the daemon knows of maps it, yet the readers still map 8 MiB: cutting now would SIGBUS them.
        Assert.Equal(2L << 20, announced.PendingSize);
        Assert.Equal(8L << 20, new FileInfo(Path.Join(daemon.StoragePath, "regions", "late")).Length);

        readers.Resume();
        await SessionTests.Eventually(async () => (await again.GetDetailsAsync("late", CancellationToken.None)).MapperDetails.Any(m => m.Pid == readers.Pid));
        await SessionTests.Eventually(async () => (await again.GetAsync("late")).Size == 2 << 20);
        Assert.Equal(2L << 20, new FileInfo(Path.Join(daemon.StoragePath, "regions", "late")).Length);
        readers.CloseInput();
        Assert.Matches(@"^ok reads \d+ errors 0 sizes \d+$", await readers.ReadLineAsync());
        Assert.Equal(0, await readers.WaitForExitAsync());
    }

    [Fact]
    public async Task A_shrink_pending_at_a_crash_commits_after_the_restart_once_every_returning_mapper_released_again()
    {
        // The window must outlast a restart and the clients' return on a loaded machine: the test looks inside it.
        await using var daemon = await MapdDaemon.StartAsync("256M", new Dictionary<string, string> { ["Mapd:Grace:RecoveryWindow"] = "00:00:15" });
        Assert.StartsWith("ok", await ClientProcess.RunAsync(daemon, null, "create-write", "half", "8388608", "81"));

        // hold-lease writes its own pattern (seed 77) before it settles on its lease.
        await using var stuck = ClientProcess.Start(daemon, null, "hold-lease", "half");
        Assert.Equal("ok holding 8388608", await stuck.ReadLineAsync());
        await using var quick = ClientProcess.Start(daemon, null, "hold", "half", "77");
        Assert.Equal("ok verified 8388608", await quick.ReadLineAsync());

        await using (var mapd = await daemon.ConnectAsync())
        {
            await mapd.ResizeAsync("half", 2 << 20);

            // The quick mapper released; the stuck one holds the shrink pending.
            await SessionTests.Eventually(async () => (await mapd.GetDetailsAsync("half", CancellationToken.None)).MapperDetails.Count(m => m.Blocking) == 1);
        }

        await daemon.KillAsync();
        await daemon.RestartAsync();
        await using var again = await daemon.ConnectAsync();
        Assert.Equal(2L << 20, (await again.GetAsync("half")).PendingSize);

        // Both come back; the quick one must release again, and the stuck one's death ends the wait.
        await SessionTests.Eventually(async () => (await again.GetAsync("half")).Mappers == 2);
        stuck.Kill();
        await SessionTests.Eventually(async () => (await again.GetAsync("half")).Size == 2 << 20);
        await quick.WriteLineAsync("check");
        Assert.Equal("ok verified 2097152", await quick.ReadLineAsync());
    }

    [Fact]
    public async Task Create_resize_and_delete_called_while_the_daemon_is_down_run_once_it_is_back()
    {
        await using var daemon = await MapdDaemon.StartAsync();
        await using var mapd = await daemon.ConnectAsync();
        await using var kept = await mapd.CreateAsync("kept", 1 << 20);
        await (await mapd.CreateAsync("doomed", 4096)).DisposeAsync();

        await daemon.KillAsync();
        var create = mapd.CreateAsync("made-while-down", 8192);
        var resize = mapd.ResizeAsync("kept", 2 << 20);
        var delete = mapd.DeleteAsync("doomed");
        await Task.Delay(300);
        Assert.False(create.IsCompleted || resize.IsCompleted || delete.IsCompleted, "no call may fail (or succeed) while the daemon is down");

        await daemon.RestartAsync();
        await using var made = await create;
        Assert.Equal(2 << 20, (await resize).Size);
        await delete;

        Assert.Equal(["kept", "made-while-down"], (await mapd.ListAsync()).Select(r => r.Name).Order());
        await SessionTests.Eventually(() => Task.FromResult(kept.Size == 2 << 20));
        Assert.Equal(8192, made.Size);
    }

    [Theory]
    [InlineData("killed")]
    [InlineData("stopped")]
    public async Task A_call_to_a_daemon_that_is_gone_is_known_not_to_have_been_applied(string how)
    {
        await using var daemon = await MapdDaemon.StartAsync();
        await using var mapd = await daemon.ConnectAsync();
        await mapd.ListAsync();

        if (how == "killed")
        {
            await daemon.KillAsync();
        }
        else
        {
            Assert.Equal(0, await daemon.StopAsync());
        }

        // The client's HTTP/2 connection has seen the daemon go; a new one cannot be made.
        await Task.Delay(200);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await mapd.Grpc.ListAsync(new Protocol.V1.ListRequest()));
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.True(Client.Internal.Calls.CallPolicy.IsNotApplied(e, sessionClosed: true), $"{how}: {e.Status.DebugException}");
    }

    [Fact]
    public async Task Restart_repairs_what_a_crash_left_half_done()
    {
        await using var daemon = await MapdDaemon.StartAsync();
        Assert.StartsWith("ok", await ClientProcess.RunAsync(daemon, null, "create-write", "whole", "8192", "31"));
        await daemon.KillAsync();

        var regions = Path.Join(daemon.StoragePath, "regions");
        var meta = Path.Join(daemon.StoragePath, "meta");

        // A create that crashed before its metadata was written, a metadata write that crashed
        // before its rename, and a grow that crashed between ftruncate and persisting.
        await File.WriteAllBytesAsync(Path.Join(regions, "ghost"), new byte[100]);
        await File.WriteAllTextAsync(Path.Join(meta, ".whole.json.tmp"), "{ half");
        await using (var file = new FileStream(Path.Join(regions, "whole"), FileMode.Open))
        {
            file.SetLength(1 << 20);
        }

        await daemon.RestartAsync();
        await using var mapd = await daemon.ConnectAsync();
        var listed = await mapd.ListAsync();
        Assert.Equal(["whole"], listed.Select(r => r.Name));
        Assert.Equal(8192, listed[0].Size);
        Assert.False(File.Exists(Path.Join(regions, "ghost")));
        Assert.False(File.Exists(Path.Join(meta, ".whole.json.tmp")));
        Assert.Equal(8192, new FileInfo(Path.Join(regions, "whole")).Length);
        Assert.Equal("ok verified 8192", await ClientProcess.RunAsync(daemon, null, "verify", "whole", "31"));
    }

    [Fact]
    public async Task A_symlink_planted_in_storage_is_never_followed()
    {
        await using var daemon = await MapdDaemon.StartAsync();
        Assert.StartsWith("ok", await ClientProcess.RunAsync(daemon, null, "create-write", "victim", "4096", "41"));
        var secret = Path.Join(daemon.Root, "secret");
        await File.WriteAllTextAsync(secret, "not for clients");

        var file = Path.Join(daemon.StoragePath, "regions", "victim");
        File.Delete(file);
        File.CreateSymbolicLink(file, secret);

        // Live: a read-only open resolves the name with O_NOFOLLOW and fails rather than hand
        // out the symlink's target. (A read-write open would get the descriptor the daemon has
        // held since the create, which is the region's own file: safe too.)
        await using var mapd = await daemon.ConnectAsync();
        var (code, message) = await Status.Of(() => mapd.OpenAsync("victim", Client.RegionAccess.ReadOnly));
        Assert.Equal(StatusCode.Internal, code);
        Assert.Contains("ELOOP", message, StringComparison.Ordinal);
        Assert.Equal("ok wrote 4096", await ClientProcess.RunAsync(daemon, null, "write", "victim", "41"));

        // After a restart the region is skipped and the target is untouched.
        await daemon.KillAsync();
        await daemon.RestartAsync();
        await using var again = await daemon.ConnectAsync();
        Assert.DoesNotContain(await again.ListAsync(), r => r.Name == "victim");
        Assert.Equal("not for clients", await File.ReadAllTextAsync(secret));
        await daemon.WaitForLogAsync("not a regular file");
    }

    [Fact]
    public async Task Deleted_regions_still_mapped_at_a_crash_hold_capacity_through_the_recovery_window_and_until_their_holder_lets_go()
    {
        await using var daemon = await MapdDaemon.StartAsync("256M", new Dictionary<string, string> { ["Mapd:Grace:RecoveryWindow"] = "00:00:15" });
        Assert.StartsWith("ok", await ClientProcess.RunAsync(daemon, null, "create-write", "doomed", (150 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture), "51"));
        await using var holder = ClientProcess.Start(daemon, null, "hold", "doomed", "51");
        Assert.StartsWith("ok verified", await holder.ReadLineAsync());
        Assert.Equal("ok deleted", await ClientProcess.RunAsync(daemon, null, "delete", "doomed"));

        await daemon.KillAsync();
        await daemon.RestartAsync();
        await using var mapd = await daemon.ConnectAsync();
        Assert.Equal(StatusCode.ResourceExhausted, (await Status.Of(() => mapd.CreateAsync("after", 150 << 20))).Code);

        // No session claims it, so the window ends and its file is unlinked; but the holder still
        // maps it, so its memory stays charged (an orphan) until the holder lets go.
        await daemon.WaitForLogAsync("a process still holds its file open");
        Assert.Equal(StatusCode.ResourceExhausted, (await Status.Of(() => mapd.CreateAsync("after", 150 << 20))).Code);
        await holder.WriteLineAsync("check");
        Assert.StartsWith("ok verified", await holder.ReadLineAsync());
        holder.CloseInput();
        Assert.Equal(0, await holder.WaitForExitAsync());
        await SessionTests.Eventually(async () => (await Status.Of(async () => { await using var r = await mapd.CreateAsync("after", 150 << 20); })).Code == StatusCode.OK);
    }

    [Fact]
    public async Task Storage_files_are_private_to_the_daemon()
    {
        await using var daemon = await MapdDaemon.StartAsync();
        Assert.StartsWith("ok", await ClientProcess.RunAsync(daemon, null, "create-write", "private", "4096", "1", "0666"));
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Join(daemon.StoragePath, "regions", "private")));
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Join(daemon.StoragePath, "meta", "private.json")));
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(daemon.StoragePath));
    }
}
