using System.Text.Json;
using Mapd.IntegrationTests.Infrastructure;
using Status = Mapd.IntegrationTests.Infrastructure.Status;

namespace Mapd.IntegrationTests;

/// <summary>
/// What operators asked mapctl for (issue 10), and List paging (issue 8), with the real mapctl
/// binary against the real daemon.
/// </summary>
public sealed class MapctlOperatorTests(SharedDaemon shared) : IClassFixture<SharedDaemon>
{
    private MapdDaemon Daemon => shared.Daemon;

    [Fact]
    public async Task Status_describes_the_daemon_in_lines_or_json()
    {
        var name = Status.UniqueName("status");
        (await Mapctl.RunAsync(Daemon, "create", name, "4M")).Succeeded();

        var json = await Mapctl.RunAsync(Daemon, "status", "--json");
        json.Succeeded();
        using (var document = JsonDocument.Parse(json.Stdout))
        {
            var status = document.RootElement;
            Assert.Matches(@"^\d+\.\d+\.\d+", status.GetProperty("version").GetString());
            Assert.InRange(status.GetProperty("started_at").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1));
            Assert.True(status.GetProperty("uptime_seconds").GetDouble() >= 0);
            Assert.Equal(256UL << 20, status.GetProperty("capacity_bytes").GetUInt64());
            Assert.InRange(status.GetProperty("used_bytes").GetUInt64(), 4UL << 20, 256UL << 20);
            Assert.True(status.GetProperty("regions").GetUInt32() >= 1);
            Assert.Equal("Healthy", status.GetProperty("health").GetString());
            Assert.Equal("", status.GetProperty("health_detail").GetString());
            Assert.Equal(Daemon.StoragePath, status.GetProperty("storage_path").GetString());
        }

        var human = await Mapctl.RunAsync(Daemon, "status");
        human.Succeeded();
        var keys = human.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':')[0]);
        Assert.Equal(["version", "uptime", "capacity", "used", "regions", "sessions", "pending_shrinks", "health", "storage_path"], keys);
        Assert.Contains("\ncapacity:        256M (268435456 bytes)\n", human.Stdout, StringComparison.Ordinal);
        Assert.Contains("\nhealth:          Healthy\n", human.Stdout, StringComparison.Ordinal);
        Assert.EndsWith($"\nstorage_path:    {Daemon.StoragePath}\n", human.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_of_a_missing_region_fails_at_once_with_not_found_and_exit_1()
    {
        var ghost = Status.UniqueName("ghost");
        (await Mapctl.RunAsync(Daemon, "watch", ghost)).Failed(1, $"region '{ghost}' does not exist");
        (await Mapctl.RunAsync(Daemon, "watch", "--json", ghost)).Failed(1, $"region '{ghost}' does not exist");

        // One missing name among existing ones refuses the whole watch, naming the missing one.
        var name = Status.UniqueName("present");
        (await Mapctl.RunAsync(Daemon, "create", name, "1M")).Succeeded();
        (await Mapctl.RunAsync(Daemon, "watch", name, ghost)).Failed(1, $"region '{ghost}' does not exist");
    }

    [Fact]
    public async Task Ls_pages_through_more_regions_than_one_reply_holds_and_filters_by_prefix()
    {
        // The daemon never puts more than 1000 regions in one List reply, so 1001 takes at least two pages.
        var prefix = Status.UniqueName("page") + "-";
        var names = Enumerable.Range(0, 1001).Select(i => $"{prefix}{i:D4}").ToList();
        await using (var client = await Daemon.ConnectAsync())
        {
            foreach (var name in names)
            {
                await using var region = await client.CreateAsync(name, 4096);
            }
        }

        try
        {
            var listed = await Mapctl.RunAsync(Daemon, "ls", "--names", "--prefix", prefix);
            listed.Succeeded(string.Concat(names.Select(n => n + "\n")));

            var table = await Mapctl.RunAsync(Daemon, "ls", "--prefix", prefix, "--no-headers");
            table.Succeeded();
            var rows = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(names, rows.Select(r => r.Split(' ')[0]));

            var withHeader = await Mapctl.RunAsync(Daemon, "ls", "--prefix", prefix);
            Assert.Equal(table.Stdout, withHeader.Stdout.Split('\n', 2)[1]);

            using var json = JsonDocument.Parse((await Mapctl.RunAsync(Daemon, "ls", "--json", "--prefix", prefix + "000")).Stdout);
            Assert.Equal(names.Take(10), json.RootElement.GetProperty("regions").EnumerateArray().Select(r => r.GetProperty("name").GetString()));

            // Everything, with no prefix: every page, in name order.
            var all = (await Mapctl.RunAsync(Daemon, "ls", "--names")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(all.Order(StringComparer.Ordinal), all);
            Assert.Equal(names, all.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)));
        }
        finally
        {
            await using var client = await Daemon.ConnectAsync();
            foreach (var name in names)
            {
                await client.DeleteAsync(name);
            }
        }
    }

    [Fact]
    public async Task Help_version_and_completions_answer_without_a_daemon()
    {
        var nowhere = Path.Join(Daemon.Root, "no-such-dir");

        var version = await Mapctl.RunAsync(nowhere, "--version");
        version.Succeeded();
        Assert.Matches(@"^mapctl \d+\.\d+\.\d+\S* \(protocol mapd\.v1\)\n$", version.Stdout);

        var help = await Mapctl.RunAsync(nowhere, "status", "--help");
        help.Succeeded();
        Assert.StartsWith("usage: mapctl [--socket PATH] status [--json]\n", help.Stdout, StringComparison.Ordinal);
        (await Mapctl.RunAsync(nowhere, "help", "status")).Succeeded(help.Stdout);

        var bash = await Mapctl.RunAsync(nowhere, "completions", "bash");
        bash.Succeeded(File.ReadAllText(Path.Join(TestEnvironment.RepositoryRoot, "src/Mapd.Cli/completions/mapctl.bash")));
    }

    [Fact]
    public async Task Without_socket_mapctl_finds_the_daemon_by_the_contracts_rule_and_says_where_it_looked()
    {
        (await Mapctl.RunWithAsync(new Dictionary<string, string?> { ["MAPD_SOCKET_DIR"] = Daemon.SocketDirectory }, "status")).Succeeded();

        var nowhere = Path.Join(Daemon.Root, "no-such-dir");
        var unreachable = await Mapctl.RunWithAsync(new Dictionary<string, string?> { ["MAPD_SOCKET_DIR"] = nowhere }, "ls");
        unreachable.Failed(3, $"{nowhere}/mapd-fd.sock (ENOENT)");
        Assert.Contains($"looked in {nowhere} (from MAPD_SOCKET_DIR)", unreachable.Stderr, StringComparison.Ordinal);
    }
}
