using System.Globalization;
using System.Text.Json;
using Mapd.IntegrationTests.Infrastructure;
using Status = Mapd.IntegrationTests.Infrastructure.Status;

namespace Mapd.IntegrationTests;

/// <summary>
/// The real mapctl binary, run as an operator would run it, against the real daemon: what it
/// prints, on which stream, and with which exit code.
/// </summary>
public sealed class MapctlTests(SharedDaemon shared) : IClassFixture<SharedDaemon>
{
    private const long MiB = 1 << 20;

    private MapdDaemon Daemon => shared.Daemon;

    [Fact]
    public async Task Create_ls_stat_resize_and_rm_print_what_they_did()
    {
        var name = Status.UniqueName("cycle");

        var created = await Mapctl.RunAsync(Daemon, "create", name, "4M", "--mode", "0640");
        created.Succeeded($"created region '{name}': 4M, mode 0640\n");

        var table = await Mapctl.RunAsync(Daemon, "ls");
        table.Succeeded();
        Assert.StartsWith("NAME ", table.Stdout, StringComparison.Ordinal);
        var row = table.Stdout.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        var cells = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([name, "4M", "1", "0640"], cells[..4]);
        Assert.Equal("0", cells[^1]);

        var names = await Mapctl.RunAsync(Daemon, "ls", "--names");
        names.Succeeded();
        Assert.Contains(name, names.Stdout.Split('\n'));

        var list = await Mapctl.RunAsync(Daemon, "ls", "--json");
        list.Succeeded();
        using (var json = JsonDocument.Parse(list.Stdout))
        {
            var region = json.RootElement.GetProperty("regions").EnumerateArray().Single(r => r.GetProperty("name").GetString() == name);
            Assert.Equal(4 * MiB, region.GetProperty("size").GetInt64());
            Assert.Equal(1UL, region.GetProperty("generation").GetUInt64());
            Assert.Equal("0640", region.GetProperty("mode").GetString());
            Assert.Equal(0, region.GetProperty("pending_size").GetInt64());
        }

        var stat = await Mapctl.RunAsync(Daemon, "stat", name, "--json");
        stat.Succeeded();
        using (var json = JsonDocument.Parse(stat.Stdout))
        {
            var region = json.RootElement;
            Assert.Equal(name, region.GetProperty("name").GetString());
            Assert.Equal(4 * MiB, region.GetProperty("size").GetInt64());
            Assert.Equal(0, region.GetProperty("mappers").GetInt32());
            Assert.Equal(0, region.GetProperty("max_size").GetInt64());
            Assert.Equal(0, region.GetProperty("mapper_details").GetArrayLength());
            Assert.Equal(JsonValueKind.Null, region.GetProperty("pending_shrink").ValueKind);
            Assert.True(region.GetProperty("created_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-10));
        }

        (await Mapctl.RunAsync(Daemon, "resize", name, "8M")).Succeeded($"resized region '{name}' to 8M (generation 2)\n");
        (await Mapctl.RunAsync(Daemon, "resize", name, "16M", "--expect-generation", "2")).Succeeded($"resized region '{name}' to 16M (generation 3)\n");

        var human = await Mapctl.RunAsync(Daemon, "stat", name);
        human.Succeeded();
        Assert.Contains("\nsize:         16M (16777216 bytes)\n", human.Stdout, StringComparison.Ordinal);
        Assert.Contains("\ngeneration:   3\n", human.Stdout, StringComparison.Ordinal);
        Assert.Contains("\npending_size: none\n", human.Stdout, StringComparison.Ordinal);

        (await Mapctl.RunAsync(Daemon, "rm", name)).Succeeded($"deleted region '{name}'\n");
        var gone = await Mapctl.RunAsync(Daemon, "stat", name);
        gone.Failed(1, $"region '{name}' does not exist");
    }

    [Fact]
    public async Task Create_with_max_size_shows_it_in_stat()
    {
        var name = Status.UniqueName("hint");

        (await Mapctl.RunAsync(Daemon, "create", name, "2M", "--max-size", "64M")).Succeeded($"created region '{name}': 2M, mode 0600, max size 64M\n");

        var stat = await Mapctl.RunAsync(Daemon, "stat", name);
        stat.Succeeded();
        Assert.Contains("\nmax_size:     64M (67108864 bytes)\n", stat.Stdout, StringComparison.Ordinal);
        using var json = JsonDocument.Parse((await Mapctl.RunAsync(Daemon, "stat", "--json", name)).Stdout);
        Assert.Equal(64 * MiB, json.RootElement.GetProperty("max_size").GetInt64());
    }

    [Fact]
    public async Task Refusals_exit_1_usage_errors_2_and_a_missing_daemon_3_each_with_one_line()
    {
        var name = Status.UniqueName("dup");
        (await Mapctl.RunAsync(Daemon, "create", name, "1M")).Succeeded();

        (await Mapctl.RunAsync(Daemon, "create", name, "1M")).Failed(1, $"region '{name}' already exists");
        (await Mapctl.RunAsync(Daemon, "rm", "ghost-" + name)).Failed(1, $"region 'ghost-{name}' does not exist");
        (await Mapctl.RunAsync(Daemon, "resize", "ghost-" + name, "2M")).Failed(1, "does not exist");
        (await Mapctl.RunAsync(Daemon, "resize", name, "2M", "--expect-generation", "7")).Failed(1, "generation");
        (await Mapctl.RunAsync(Daemon, "create", Status.UniqueName("huge"), "1G")).Failed(1, "above the largest region allowed");

        (await Mapctl.RunAsync(Daemon, "stat", ".hidden")).Failed(2, "starts with '.'");
        (await Mapctl.RunAsync(Daemon, "create", "a/b", "1M")).Failed(2, "contains '/'");
        (await Mapctl.RunAsync(Daemon, "create", name, "12X")).Failed(2, "'12X' is not a size");
        (await Mapctl.RunAsync(Daemon, "resize", name)).Failed(2, "resize needs SIZE");
        (await Mapctl.RunAsync(Daemon, "frobnicate")).Failed(2, "unknown command 'frobnicate'");

        var nowhere = Path.Join(Daemon.Root, "no-such-dir");
        var unreachable = await Mapctl.RunAsync(nowhere, "ls");
        unreachable.Failed(3, $"{nowhere}/mapd-fd.sock (ENOENT)");
    }

    [Fact]
    public async Task Sessions_lists_a_holder_with_its_pid_and_region_but_not_mapctl_itself()
    {
        var name = Status.UniqueName("held");
        (await Mapctl.RunAsync(Daemon, "create", name, "1M")).Succeeded();
        await using var holder = ClientProcess.Start(Daemon, null, "hold", name, "1");

        // The region is zeros, not seed 1's pattern: either answer means it is open and held.
        Assert.Matches("^(ok verified|error Mismatch)", await holder.ReadLineAsync());

        var table = await Mapctl.RunAsync(Daemon, "sessions");
        table.Succeeded();
        Assert.Equal(["ID", "PID", "UID", "REGIONS", "UNREAD", "SINCE"], table.Stdout.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var row = table.Stdout.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Single(r => r.Length > 1 && r[1] == Pid(holder.Pid));
        Assert.Matches("^[0-9a-f]{8}$", row[0]);
        Assert.Contains(name, row);
        Assert.DoesNotContain(table.Stdout.Split('\n'), l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var pid, ..] && pid == Pid(table.Pid));

        var listed = await Mapctl.RunAsync(Daemon, "sessions", "--json");
        listed.Succeeded();
        using var json = JsonDocument.Parse(listed.Stdout);
        var sessions = json.RootElement.GetProperty("sessions").EnumerateArray().ToArray();
        var session = sessions.Single(s => s.GetProperty("pid").GetInt32() == holder.Pid);
        Assert.Equal([name], session.GetProperty("regions").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(Native.ProcessIdentity.Uid, session.GetProperty("uid").GetUInt32());
        Assert.Equal(0, session.GetProperty("unread_fds").GetInt32());
        Assert.Equal(row[0], session.GetProperty("id_prefix").GetString());
        Assert.DoesNotContain(sessions, s => s.GetProperty("pid").GetInt32() == listed.Pid);
    }

    [Fact]
    public async Task Stat_shows_the_mapper_that_blocks_a_pending_shrink_and_the_shrink_commits_once_it_is_gone()
    {
        var name = Status.UniqueName("blocked");
        (await Mapctl.RunAsync(Daemon, "create", name, "8M")).Succeeded();
        var holder = ClientProcess.Start(Daemon, null, "hold-lease", name);
        try
        {
            Assert.Equal($"ok holding {8 * MiB}", await holder.ReadLineAsync());

            (await Mapctl.RunAsync(Daemon, "resize", name, "4M")).Succeeded(
                $"region '{name}' shrinks from 8M to 4M (generation 2) once every mapper has released the tail\n");

            var stat = await Mapctl.RunAsync(Daemon, "stat", name, "--json");
            stat.Succeeded();
            using (var json = JsonDocument.Parse(stat.Stdout))
            {
                var region = json.RootElement;
                Assert.Equal(8 * MiB, region.GetProperty("size").GetInt64());
                Assert.Equal(4 * MiB, region.GetProperty("pending_size").GetInt64());
                Assert.Equal(1, region.GetProperty("mappers").GetInt32());
                var mapper = Assert.Single(region.GetProperty("mapper_details").EnumerateArray());
                Assert.Equal(holder.Pid, mapper.GetProperty("pid").GetInt32());
                Assert.Equal(Native.ProcessIdentity.Uid, mapper.GetProperty("uid").GetUInt32());
                Assert.Equal(1UL, mapper.GetProperty("generation").GetUInt64());
                Assert.True(mapper.GetProperty("blocking").GetBoolean());
                var shrink = region.GetProperty("pending_shrink");
                Assert.Equal(2UL, shrink.GetProperty("generation").GetUInt64());
                Assert.InRange(shrink.GetProperty("age_seconds").GetDouble(), 0, 120);
                Assert.False(shrink.GetProperty("recovering").GetBoolean());
                Assert.Contains(shrink.GetProperty("hole_punched").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
            }

            var human = await Mapctl.RunAsync(Daemon, "stat", name);
            human.Succeeded();
            Assert.Matches(@"\npending_shrink: generation 2, since \S+Z \([0-9.dhms]+ ago\), hole punched: (yes|no), recovering: no\n", human.Stdout);
            var lines = human.Stdout.Split('\n');
            var header = Array.IndexOf(lines, lines.Single(l => l.TrimStart().StartsWith("PID ", StringComparison.Ordinal)));
            Assert.Equal(["PID", "UID", "GENERATION", "SINCE", "AGE", "BLOCKING"], lines[header].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            var row = lines[header + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(Pid(holder.Pid), row[0]);
            Assert.Equal("1", row[^4]);
            Assert.Equal("yes", row[^1]);
        }
        finally
        {
            await holder.DisposeAsync();
        }

        // The holder's death ends its session, which was all the shrink waited for.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string last;
        do
        {
            await Task.Delay(100);
            last = (await Mapctl.RunAsync(Daemon, "stat", name)).Stdout;
        }
        while (!last.Contains("\npending_size: none\n", StringComparison.Ordinal) && DateTime.UtcNow < deadline);

        Assert.Contains("\nsize:         4M (4194304 bytes)\n", last, StringComparison.Ordinal);
        Assert.DoesNotContain("pending_shrink", last, StringComparison.Ordinal);
        Assert.DoesNotContain("BLOCKING", last, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_prints_the_current_state_then_a_resize_by_another_process()
    {
        var name = Status.UniqueName("watched");
        (await Mapctl.RunAsync(Daemon, "create", name, "4M")).Succeeded();
        await using var json = Mapctl.Start(Daemon, "watch", name, "--json");
        await using var human = Mapctl.Start(Daemon, "watch");

        var current = await json.ReadLineAsync();
        using (var first = JsonDocument.Parse(current))
        {
            Assert.Equal("CURRENT", first.RootElement.GetProperty("kind").GetString());
            Assert.Equal(name, first.RootElement.GetProperty("region").GetProperty("name").GetString());
            Assert.Equal(4 * MiB, first.RootElement.GetProperty("region").GetProperty("size").GetInt64());
            Assert.InRange(first.RootElement.GetProperty("time").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        }

        // The operator's watch of every region starts with the current state of each, ours among them.
        Assert.Matches($@"^\d\d:\d\d:\d\d\.\d{{3}} CURRENT {name} size=4M pending=0 generation=1$", await human.ReadLineMatchingAsync(name));

        (await Mapctl.RunAsync(Daemon, "resize", name, "8M")).Succeeded();

        using (var resized = JsonDocument.Parse(await json.ReadLineAsync()))
        {
            Assert.Equal("RESIZED", resized.RootElement.GetProperty("kind").GetString());
            var region = resized.RootElement.GetProperty("region");
            Assert.Equal(name, region.GetProperty("name").GetString());
            Assert.Equal(8 * MiB, region.GetProperty("size").GetInt64());
            Assert.Equal(2UL, region.GetProperty("generation").GetUInt64());
        }

        Assert.Matches($@"^\d\d:\d\d:\d\d\.\d{{3}} RESIZED {name} size=8M pending=0 generation=2$", await human.ReadLineMatchingAsync(name));
        Assert.False(json.HasExited);
        Assert.False(human.HasExited);
    }

    [Fact]
    public async Task Watch_exits_3_with_one_line_when_the_daemon_stops()
    {
        await using var daemon = await MapdDaemon.StartAsync();
        var name = Status.UniqueName("stopping");
        (await Mapctl.RunAsync(daemon.SocketDirectory, "create", name, "1M")).Succeeded();
        await using var watch = Mapctl.Start(daemon, "watch", name);
        Assert.Contains($" CURRENT {name} ", await watch.ReadLineAsync(), StringComparison.Ordinal);

        await daemon.StopAsync();

        var (exitCode, rest, stderr) = await watch.WaitForExitAsync();
        Assert.Equal(3, exitCode);
        Assert.Equal("", rest);
        Assert.Matches("^mapctl: mapd ended the watch \\([A-Z_]+\\): [^\n]+\n$", stderr);
    }

    [Fact]
    public async Task Watch_exits_3_with_one_line_when_the_daemon_dies()
    {
        await using var daemon = await MapdDaemon.StartAsync();
        var name = Status.UniqueName("dying");
        (await Mapctl.RunAsync(daemon.SocketDirectory, "create", name, "1M")).Succeeded();
        await using var watch = Mapctl.Start(daemon, "watch", name);
        Assert.Contains($" CURRENT {name} ", await watch.ReadLineAsync(), StringComparison.Ordinal);

        await daemon.KillAsync();

        var (exitCode, stdout, stderr) = await watch.WaitForExitAsync();
        Assert.Equal("", stdout);
        Assert.Matches("^mapctl: mapd ended the watch \\([A-Z_]+\\): [^\n]+\n$", stderr);
        Assert.Equal(3, exitCode);
    }

    private static string Pid(int pid) => pid.ToString(CultureInfo.InvariantCulture);
}
