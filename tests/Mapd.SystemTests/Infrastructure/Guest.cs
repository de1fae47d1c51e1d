using System.Diagnostics;
using System.Text;

namespace Mapd.SystemTests.Infrastructure;

/// <summary>
/// A Debian guest booted with a real systemd as its PID 1 by <c>systemd-nspawn</c>. The root
/// is mounted read-only under a tmpfs overlay (<c>--volatile=overlay</c>), so whatever a test
/// does is gone with the guest. Commands run inside it through <c>nsenter</c> into the guest's
/// namespaces, with a clean environment, as an operator's shell would.
/// </summary>
/// <remarks>
/// The boot options are the ones this machine needs: <c>--keep-unit --register=no</c> because
/// the host's PID 1 is not systemd (nspawn cannot register with machined or make a scope);
/// <c>--private-network</c> so the guest's loopback (and its metrics port) is its own; the
/// unified cgroup hierarchy and the <c>bpf</c> system call so the guest's systemd can enforce
/// <c>IPAddressDeny=</c>, as it would on a modern host.
/// </remarks>
public sealed class Guest : IAsyncDisposable
{
    private const string GuestPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private readonly Process _nspawn;
    private readonly StringBuilder _console = new();

    private Guest(Process nspawn) => _nspawn = nspawn;

    /// <summary>The guest's PID 1 as the host sees it.</summary>
    public int Leader { get; private set; }

    /// <summary>From starting nspawn to <c>systemctl is-system-running</c> answering.</summary>
    public TimeSpan BootTime { get; private set; }

    /// <summary>What the guest's console printed.</summary>
    public string Console
    {
        get
        {
            lock (_console)
            {
                return _console.ToString();
            }
        }
    }

    /// <summary>Boots <paramref name="root"/> with the host directories <paramref name="binds"/> mounted read-only at the same or a given path.</summary>
    /// <param name="root">The guest's root directory (left unmodified).</param>
    /// <param name="binds">Host path and guest path of each read-only bind mount.</param>
    public static async Task<Guest> BootAsync(string root, IEnumerable<(string Host, string Guest)> binds)
    {
        var start = new ProcessStartInfo(TestTools.Require("systemd-nspawn"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in new[] { "--boot", "--keep-unit", "--register=no", "--volatile=overlay", "--private-network", "--system-call-filter=bpf", "--console=pipe", "--quiet", $"--directory={root}" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (host, guest) in binds)
        {
            start.ArgumentList.Add($"--bind-ro={host}:{guest}");
        }

        start.Environment["SYSTEMD_NSPAWN_UNIFIED_HIERARCHY"] = "1";
        var clock = Stopwatch.StartNew();
        var guestProcess = new Guest(Process.Start(start)!);
        try
        {
            guestProcess.Capture();
            guestProcess.Leader = await guestProcess.FindLeaderAsync(TimeSpan.FromSeconds(60));
            // Until systemd has set itself up, systemctl finds nobody to ask: it says "offline",
            // or nothing and "Failed to connect to bus". Then --wait holds until boot is done.
            CommandResult state = null!;
            await WaitForAsync(
                async () => (state = await guestProcess.RunAsync(["systemctl", "is-system-running", "--wait"], TimeSpan.FromSeconds(120))).Output.Trim() is not ("offline" or ""),
                TimeSpan.FromSeconds(120),
                () => Task.FromResult($"systemd in the guest never answered:\n{guestProcess.Console}"));
            if (state.Output.Trim() is not ("running" or "degraded"))
            {
                var failed = await guestProcess.RunAsync("systemctl", "--failed", "--no-legend");
                throw new InvalidOperationException($"the guest did not boot: {state}\nfailed units:\n{failed.Output}\nconsole:\n{guestProcess.Console}");
            }

            guestProcess.BootTime = clock.Elapsed;
            return guestProcess;
        }
        catch
        {
            await guestProcess.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a command as root inside the guest (two minutes at most).</summary>
    public Task<CommandResult> RunAsync(params string[] command) => RunAsync(command, TimeSpan.FromMinutes(2));

    /// <summary>Runs a command as root inside the guest.</summary>
    public Task<CommandResult> RunAsync(IEnumerable<string> command, TimeSpan timeout, string? standardInput = null) =>
        Commands.RunAsync(TestTools.Require("nsenter"), Enter(command), timeout, standardInput: standardInput);

    /// <summary>Runs a command as <paramref name="user"/> (with that user's groups) inside the guest.</summary>
    public Task<CommandResult> RunAsAsync(string user, params string[] command) =>
        RunAsync(AsUser(user, command), TimeSpan.FromMinutes(2));

    /// <summary>Starts a long-lived command as <paramref name="user"/> inside the guest, with its standard streams redirected.</summary>
    public Process StartAs(string user, params string[] command)
    {
        var start = new ProcessStartInfo(TestTools.Require("nsenter"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in Enter(AsUser(user, command)))
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    /// <summary>A property of a unit, as <c>systemctl show -p NAME --value</c> prints it.</summary>
    public async Task<string> PropertyAsync(string unit, string property) =>
        (await RunAsync("systemctl", "show", unit, "-p", property, "--value")).EnsureSuccess().Trim();

    /// <summary>Polls <paramref name="condition"/> until it holds, failing with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<Task<string>> what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"not within {timeout}: {await what()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Powers the guest off (and kills it if it does not stop within 30 s).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_nspawn.HasExited)
        {
            if (Leader > 0)
            {
                await Commands.RunAsync(TestTools.Require("nsenter"), Enter(["systemctl", "poweroff", "--no-block"]), TimeSpan.FromSeconds(30));
            }

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _nspawn.WaitForExitAsync(deadline.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!_nspawn.HasExited)
            {
                _nspawn.Kill(entireProcessTree: true);
                await _nspawn.WaitForExitAsync();
            }
        }

        _nspawn.Dispose();
    }

    private static IEnumerable<string> AsUser(string user, IEnumerable<string> command) =>
        ["setpriv", $"--reuid={user}", $"--regid={user}", "--init-groups", "--", "env", "HOME=/tmp", .. command];

    private IEnumerable<string> Enter(IEnumerable<string> command) =>
    [
        $"--target={Leader}", "--mount", "--uts", "--ipc", "--net", "--pid", "--cgroup", "--root", "--wd=/", "--",
        "/usr/bin/env", "-i", $"PATH={GuestPath}", "LANG=C.UTF-8", "HOME=/root", "SYSTEMD_PAGER=", "SYSTEMD_COLORS=0", .. command,
    ];

    private void Capture()
    {
        void Append(string? line)
        {
            if (line is not null)
            {
                lock (_console)
                {
                    _console.AppendLine(line);
                }
            }
        }

        _nspawn.OutputDataReceived += (_, e) => Append(e.Data);
        _nspawn.ErrorDataReceived += (_, e) => Append(e.Data);
        _nspawn.BeginOutputReadLine();
        _nspawn.BeginErrorReadLine();
    }

    // nspawn forks the guest's init into new namespaces; it is the descendant whose pid in its
    // own pid namespace is 1.
    private async Task<int> FindLeaderAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_nspawn.HasExited)
            {
                throw new InvalidOperationException($"systemd-nspawn exited with {_nspawn.ExitCode} before the guest started:\n{Console}");
            }

            var leader = Descendants(_nspawn.Id).FirstOrDefault(IsNamespaceInit);
            if (leader > 0)
            {
                return leader;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        throw new TimeoutException($"the guest's init did not appear within {timeout}:\n{Console}");
    }

    private static IEnumerable<int> Descendants(int pid)
    {
        var children = new List<int>();
        try
        {
            foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
            {
                var text = File.ReadAllText(Path.Join(task, "children"));
                children.AddRange(text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
            }
        }
        catch (IOException)
        {
            // The process went away while we looked.
        }
        catch (UnauthorizedAccessException)
        {
            // Likewise.
        }

        return children.SelectMany(child => Descendants(child).Prepend(child));
    }

    private static bool IsNamespaceInit(int pid)
    {
        try
        {
            var nspid = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("NSpid:", StringComparison.Ordinal));
            return nspid is not null && nspid.Split('\t', StringSplitOptions.RemoveEmptyEntries)[^1] == "1";
        }
        catch (IOException)
        {
            return false;
        }
    }
}
