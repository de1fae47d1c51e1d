using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Mapd.SystemTests.Infrastructure;
using Xunit.Abstractions;

namespace Mapd.SystemTests;

/// <summary>
/// mapd installed from its .deb in a Debian 12 guest and run by the guest's own systemd, as
/// docs/operations.md teaches: socket activation, readiness, the storage mount, a client in
/// group mapd, restarts and stops, the journal on failure, and the sandbox. Each test sets up
/// what it relies on (the daemon started or stopped), so they hold in any order.
/// </summary>
public sealed partial class SystemdGuestTests(GuestFixture fixture, ITestOutputHelper output) : IClassFixture<GuestFixture>
{
    private const string Seed = "41";

    private Guest Guest => fixture.Guest;

    [RequiresSystemFact(SystemNeed.Guest)]
    public async Task The_deb_installs_with_apt_creates_the_user_and_leaves_only_the_socket_listening()
    {
        foreach (var (step, took) in fixture.Timings)
        {
            output.WriteLine($"{step}: {took.TotalSeconds:F1} s");
        }

        var install = fixture.Install!;
        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.Contains("Creating user 'mapd'", install.Output + install.Error, StringComparison.Ordinal);
        Assert.Equal("enabled", fixture.AfterInstall["socket enabled"]);
        Assert.Equal("active", fixture.AfterInstall["socket active"]);
        Assert.Equal("inactive", fixture.AfterInstall["service active"]);
        Assert.Matches(@"^mapd:x:\d+:\d+:[^:]*:/:/usr/sbin/nologin$", fixture.AfterInstall["passwd"]);
        Assert.Equal(
            ["/run/mapd/mapd.sock socket 660 mapd mapd", "/run/mapd/mapd-fd.sock socket 660 mapd mapd"],
            fixture.AfterInstall["sockets"].Split('\n'));

        Assert.Contains($"mapd {fixture.Version}", (await Guest.RunAsync("/usr/lib/mapd/mapd", "--version")).EnsureSuccess(), StringComparison.Ordinal);
        Assert.Contains($"mapctl {fixture.Version}", (await Guest.RunAsync("mapctl", "--version")).EnsureSuccess(), StringComparison.Ordinal);
    }

    [RequiresSystemFact(SystemNeed.Guest)]
    public async Task Help_as_root_touches_neither_the_sockets_nor_the_storage()
    {
        var before = await SocketInodesAsync();

        var help = await Guest.RunAsync("/usr/lib/mapd/mapd", "--help");

        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("Usage:", help.Output, StringComparison.Ordinal);
        Assert.Equal(before, await SocketInodesAsync());
    }

    [RequiresSystemFact(SystemNeed.Guest)]
    public async Task The_first_client_starts_the_daemon_through_the_socket_and_it_reports_ready_with_a_status()
    {
        (await Guest.RunAsync("systemctl", "stop", "mapd.service")).EnsureSuccess();
        Assert.Equal("inactive", await Guest.PropertyAsync("mapd.service", "ActiveState"));

        // alice has no daemon of her own, so mapctl finds the system one in /run/mapd.
        var clock = Stopwatch.StartNew();
        var list = await Guest.RunAsAsync("alice", "mapctl", "ls");
        output.WriteLine($"first client, socket to answer (mapctl ls, daemon started by mapd.socket): {clock.Elapsed.TotalSeconds:F2} s");

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.StartsWith("NAME", list.Output, StringComparison.Ordinal);

        // Type=notify: "active (running)" means systemd got READY=1.
        Assert.Equal("active", await Guest.PropertyAsync("mapd.service", "ActiveState"));
        Assert.Equal("running", await Guest.PropertyAsync("mapd.service", "SubState"));
        var status = await Guest.PropertyAsync("mapd.service", "StatusText");
        output.WriteLine($"StatusText: {status}");
        Assert.Matches(@"^Serving \d+ regions on /run/mapd; metrics http://127\.0\.0\.1:9464/metrics$", status);
        Assert.Contains("inherited from systemd", await JournalAsync(), StringComparison.Ordinal);

        // The sandbox lets the daemon put its bulk-read thread under SCHED_IDLE (policy 5).
        var policy = await Guest.RunAsync("sh", "-c", "grep -l '(mapd bulk reads)' /proc/$(systemctl show -p MainPID --value mapd.service)/task/*/stat | xargs cat | sed 's/.*) //' | cut -d' ' -f39");
        Assert.True(policy.Output.Trim() == "5", $"the bulk-read thread is not under SCHED_IDLE: {policy}");
    }

    [RequiresSystemFact(SystemNeed.Guest)]
    public async Task The_storage_mount_belongs_to_mapd_with_its_size_mode_and_huge_pages()
    {
        await EnsureRunningAsync();
        var uid = (await Guest.RunAsync("id", "-u", "mapd")).EnsureSuccess().Trim();
        var gid = (await Guest.RunAsync("id", "-g", "mapd")).EnsureSuccess().Trim();

        var mount = (await Guest.RunAsync("findmnt", "--noheadings", "--output", "FSTYPE,OPTIONS", "/run/mapd/storage")).EnsureSuccess().Trim();
        output.WriteLine($"findmnt /run/mapd/storage: {mount}");
        var parts = mount.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("tmpfs", parts[0]);
        var options = parts[1].Split(',');
        foreach (var expected in new[] { "size=8388608k", "mode=700", "huge=within_size", $"uid={uid}", $"gid={gid}", "nosuid", "nodev", "noexec" })
        {
            Assert.Contains(expected, options);
        }

        Assert.Equal("mapd mapd 700", (await Guest.RunAsync("stat", "-c", "%U %G %a", "/run/mapd/storage")).EnsureSuccess().Trim());

        // The tmpfs is the daemon's own, so it does not tell the operator to mount one.
        Assert.DoesNotContain("dedicated tmpfs", await JournalAsync(), StringComparison.Ordinal);
    }

    [RequiresSystemFact(SystemNeed.Guest)]
    public async Task A_member_of_group_mapd_creates_and_maps_a_region_and_a_non_member_is_turned_away()
    {
        await EnsureRunningAsync();
        var name = Unique("orders");

        Assert.Equal("ok wrote 67108864", (await fixture.ClientAsync("alice", "create-write", name, "67108864", Seed, "0640")).EnsureSuccess().Trim());
        Assert.Equal("ok verified 67108864", (await fixture.ClientAsync("alice", "verify", name, Seed)).EnsureSuccess().Trim());

        var listing = (await Guest.RunAsync("mapctl", "ls")).EnsureSuccess();
        Assert.Matches($@"(?m)^{name}\s+64M\s+1\s+0640\s+alice:alice\b", listing);

        var bob = await fixture.ClientAsync("bob", "verify", name, Seed);
        output.WriteLine($"bob: {bob.Output.Trim()}");
        Assert.StartsWith("error", bob.Output, StringComparison.Ordinal);
        Assert.Contains("EACCES", bob.Output, StringComparison.Ordinal);
    }

    [RequiresSystemFact(SystemNeed.Guest)]
    public async Task A_restart_keeps_regions_and_their_bytes()
    {
        await EnsureRunningAsync();
        var name = Unique("kept");
        (await fixture.ClientAsync("alice", "create-write", name, "4194304", Seed)).EnsureSuccess();
        var before = await Guest.PropertyAsync("mapd.service", "MainPID");

        (await Guest.RunAsync("systemctl", "restart", "mapd.service")).EnsureSuccess();

        Assert.NotEqual(before, await Guest.PropertyAsync("mapd.service", "MainPID"));
        Assert.Equal("ok verified 4194304", (await fixture.ClientAsync("alice", "verify", name, Seed)).EnsureSuccess().Trim());
    }

    [RequiresSystemFact(SystemNeed.Guest)]
    public async Task Stop_drains_cleanly_mappings_outlive_the_daemon_and_the_socket_starts_it_again()
    {
        await EnsureRunningAsync();
        var name = Unique("drain");
        (await fixture.ClientAsync("alice", "create-write", name, "1048576", Seed)).EnsureSuccess();
        using var holder = fixture.StartClient("alice", "hold", name, Seed);
        try
        {
            Assert.Equal("ok verified 1048576", await holder.StandardOutput.ReadLineAsync());

            var clock = Stopwatch.StartNew();
            (await Guest.RunAsync("systemctl", "stop", "mapd.service")).EnsureSuccess();
            output.WriteLine($"systemctl stop mapd with a session open: {clock.Elapsed.TotalSeconds:F2} s");

            // A stop that had to be forced would be Result=timeout or a signal, not a clean exit 0.
            Assert.Equal("success", await Guest.PropertyAsync("mapd.service", "Result"));
            Assert.Equal("0", await Guest.PropertyAsync("mapd.service", "ExecMainStatus"));
            Assert.Equal("active", await Guest.PropertyAsync("mapd.socket", "ActiveState"));

            // The holder's mapping is its own: the bytes are still there with the daemon gone.
            await holder.StandardInput.WriteLineAsync("check");
            Assert.Equal("ok verified 1048576", await holder.StandardOutput.ReadLineAsync());
        }
        finally
        {
            holder.StandardInput.Close();
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await holder.WaitForExitAsync(exit.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!holder.HasExited)
            {
                holder.Kill(entireProcessTree: true);
            }
        }

        Assert.Equal("ok verified 1048576", (await fixture.ClientAsync("alice", "verify", name, Seed)).EnsureSuccess().Trim());
        Assert.Equal("active", await Guest.PropertyAsync("mapd.service", "ActiveState"));
    }

    [RequiresSystemFact(SystemNeed.Guest)]
    public async Task A_bad_setting_fails_once_with_78_at_error_priority_and_is_not_restarted()
    {
        (await Guest.RunAsync("sh", "-c", "echo Mapd__Storage__Size=lots >> /etc/default/mapd")).EnsureSuccess();
        try
        {
            var failure = await FailedStartAsync();

            Assert.Equal("78", failure.Status);
            Assert.Contains("mapd: Mapd:Storage:Size: 'lots' is not a size", failure.ErrorPriorityJournal, StringComparison.Ordinal);
        }
        finally
        {
            (await Guest.RunAsync("sed", "-i", "/^Mapd__Storage__Size=lots$/d", "/etc/default/mapd")).EnsureSuccess();
            await EnsureRunningAsync();
        }
    }

    [RequiresSystemFact(SystemNeed.Guest)]
    public async Task Unusable_storage_fails_once_with_73_at_error_priority_and_is_not_restarted()
    {
        // What the install did on Debian 12 before the mount unit said uid=/gid=: a tmpfs root
        // that belongs to root.
        await EnsureRunningAsync();
        (await Guest.RunAsync("chown", "root:root", "/run/mapd/storage")).EnsureSuccess();
        try
        {
            var failure = await FailedStartAsync();

            Assert.Equal("73", failure.Status);
            Assert.Contains("mapd: cannot open storage directory: open(/run/mapd/storage) failed: EACCES", failure.ErrorPriorityJournal, StringComparison.Ordinal);
        }
        finally
        {
            (await Guest.RunAsync("chown", "mapd:mapd", "/run/mapd/storage")).EnsureSuccess();
            await EnsureRunningAsync();
        }
    }

    [RequiresSystemFact(SystemNeed.Guest)]
    public async Task Installing_the_package_again_restarts_a_running_daemon_and_keeps_regions()
    {
        await EnsureRunningAsync();
        var name = Unique("upgrade");
        (await fixture.ClientAsync("alice", "create-write", name, "2097152", Seed)).EnsureSuccess();
        var before = await Guest.PropertyAsync("mapd.service", "MainPID");

        // What an upgrade runs: prerm upgrade, then postinst configure with the old version.
        var reinstall = await fixture.InstallAsync("--reinstall");

        Assert.True(reinstall.ExitCode == 0, reinstall.ToString());
        Assert.Equal("active", await Guest.PropertyAsync("mapd.service", "ActiveState"));
        Assert.NotEqual(before, await Guest.PropertyAsync("mapd.service", "MainPID"));
        Assert.Equal("ok verified 2097152", (await fixture.ClientAsync("alice", "verify", name, Seed)).EnsureSuccess().Trim());
    }

    [RequiresSystemFact(SystemNeed.Guest)]
    public async Task Removing_the_package_stops_everything_and_frees_the_storage_and_installing_brings_it_back()
    {
        await EnsureRunningAsync();
        (await fixture.ClientAsync("alice", "create-write", Unique("gone"), "1048576", Seed)).EnsureSuccess();
        try
        {
            var remove = await Guest.RunAsync(["apt-get", "remove", "-y", "mapd"], TimeSpan.FromMinutes(5));
            Assert.True(remove.ExitCode == 0, remove.ToString());

            foreach (var unit in new[] { "mapd.socket", "mapd.service", "run-mapd-storage.mount" })
            {
                Assert.Equal("inactive", await Guest.PropertyAsync(unit, "ActiveState"));
            }

            Assert.NotEqual(0, (await Guest.RunAsync("findmnt", "/run/mapd/storage")).ExitCode);
            Assert.False(File.Exists(GuestFile("/run/mapd/mapd.sock")), "the socket file outlived the package");
        }
        finally
        {
            var install = await fixture.InstallAsync();
            Assert.True(install.ExitCode == 0, install.ToString());
        }

        // The socket is enabled and listening again, and serves.
        Assert.Equal("enabled", (await Guest.RunAsync("systemctl", "is-enabled", "mapd.socket")).Output.Trim());
        Assert.Equal("active", await Guest.PropertyAsync("mapd.socket", "ActiveState"));
        Assert.StartsWith("NAME", (await Guest.RunAsAsync("alice", "mapctl", "ls")).EnsureSuccess(), StringComparison.Ordinal);
    }

    [RequiresSystemFact(SystemNeed.Guest)]
    public async Task The_sandbox_scores_2_or_better_and_its_firewall_lets_only_loopback_reach_the_metrics()
    {
        var analysis = (await Guest.RunAsync("systemd-analyze", "security", "mapd.service", "--no-pager")).EnsureSuccess();
        var score = double.Parse(Exposure().Match(analysis).Groups[1].Value, CultureInfo.InvariantCulture);
        output.WriteLine($"systemd-analyze security mapd.service: {score}");
        Assert.True(score <= 2.0, analysis);

        // The daemon serves under all of it (every other test here talks to it); the metrics
        // endpoint answers over loopback through IPAddressAllow=localhost...
        await EnsureRunningAsync();
        const string Scrape = "exec 3<>/dev/tcp/127.0.0.1/9464 && printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3";
        var metrics = (await Guest.RunAsync("timeout", "10", "bash", "-c", Scrape)).EnsureSuccess();
        Assert.Contains("HTTP/1.1 200 OK", metrics, StringComparison.Ordinal);
        Assert.Contains("mapd_regions", metrics, StringComparison.Ordinal);

        // ...and the firewall is really enforced in this guest: the same scrape from a unit
        // with IPAddressDeny=any and no allow-list gets no answer.
        var denied = await Guest.RunAsync("systemd-run", "--quiet", "--wait", "--pipe", "-p", "IPAddressDeny=any", "timeout", "3", "bash", "-c", Scrape);
        Assert.NotEqual(0, denied.ExitCode);
        Assert.DoesNotContain("200 OK", denied.Output, StringComparison.Ordinal);
        Assert.Equal(["0.0.0.0/0", "::/0"], (await Guest.PropertyAsync("mapd.service", "IPAddressDeny")).Split(' ').Order(StringComparer.Ordinal));
    }

    private async Task EnsureRunningAsync()
    {
        await Guest.RunAsync("systemctl", "reset-failed", "mapd.service", "mapd.socket");
        (await Guest.RunAsync("systemctl", "start", "mapd.socket", "mapd.service")).EnsureSuccess();
        Assert.Equal("active", await Guest.PropertyAsync("mapd.service", "ActiveState"));
    }

    /// <summary>Restarts mapd, which must fail; waits until systemd has given up; returns the exit status and the error-priority journal of that start.</summary>
    private async Task<(string Status, string ErrorPriorityJournal)> FailedStartAsync()
    {
        var restart = await Guest.RunAsync("systemctl", "restart", "mapd.service");
        Assert.NotEqual(0, restart.ExitCode);
        await Guest.WaitForAsync(
            async () => await Guest.PropertyAsync("mapd.service", "ActiveState") == "failed",
            TimeSpan.FromSeconds(60),
            async () => $"mapd.service is {await Guest.PropertyAsync("mapd.service", "ActiveState")}");

        // "failed" is final: a restart would show as activating (auto-restart) instead.
        Assert.Equal("exit-code", await Guest.PropertyAsync("mapd.service", "Result"));
        Assert.Equal("0", await Guest.PropertyAsync("mapd.service", "NRestarts"));
        var invocation = await Guest.PropertyAsync("mapd.service", "InvocationID");
        var journal = (await Guest.RunAsync("journalctl", $"_SYSTEMD_INVOCATION_ID={invocation}", "--priority=err", "--output=cat", "--no-pager")).EnsureSuccess();
        output.WriteLine($"journalctl -p err for that start: {journal.Trim()}");
        return (await Guest.PropertyAsync("mapd.service", "ExecMainStatus"), journal);
    }

    private async Task<string> JournalAsync()
    {
        var invocation = await Guest.PropertyAsync("mapd.service", "InvocationID");
        return (await Guest.RunAsync("journalctl", $"_SYSTEMD_INVOCATION_ID={invocation}", "--output=cat", "--no-pager")).EnsureSuccess();
    }

    private string GuestFile(string path) => $"/proc/{Guest.Leader}/root{path}";

    private async Task<string> SocketInodesAsync() =>
        (await Guest.RunAsync("stat", "-c", "%n %i", "/run/mapd/mapd.sock", "/run/mapd/mapd-fd.sock")).EnsureSuccess();

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    [GeneratedRegex(@"Overall exposure level for mapd\.service: (\d+\.\d+)")]
    private static partial Regex Exposure();
}
