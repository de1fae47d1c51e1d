using System.Diagnostics;

namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>
/// An attacker process: one of the Python scripts in <c>Attackers/</c>, run by Debian's
/// python3 as another uid (setpriv), optionally under a descriptor limit of its own (prlimit).
/// It talks through lines on stdin and stdout, like <see cref="ClientProcess"/>.
/// </summary>
public sealed class Attacker : IAsyncDisposable
{
    /// <summary>Debian's python3 (the one whose modules CI installs), which every uid can run.</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<string> Scripts = new(CopyScripts);
    private readonly Process _process;

    private Attacker(Process process) => _process = process;

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    /// <summary>
    /// Runs <paramref name="script"/> with <paramref name="arguments"/> as <paramref name="asUser"/>
    /// (null: as this process's user), with RLIMIT_NOFILE at <paramref name="openFiles"/> when given.
    /// </summary>
    public static Attacker Start(string script, string? asUser, IEnumerable<string> arguments, int? openFiles = null)
    {
        var command = new List<string>();
        if (openFiles is { } limit)
        {
            command.AddRange([TestTools.Require("prlimit"), $"--nofile={limit}:{limit}"]);
        }

        if (asUser is not null)
        {
            command.Add(TestTools.Require("setpriv"));
            command.AddRange(SwitchUser.Arguments(asUser));
        }

        command.AddRange([Python, Path.Join(Scripts.Value, script)]);
        command.AddRange(arguments);
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var part in command.Skip(1))
        {
            start.ArgumentList.Add(part);
        }

        start.Environment["HOME"] = "/tmp";
        return new Attacker(Process.Start(start)!);
    }

    /// <summary>Reads the next line (fails after <paramref name="timeout"/>, default 2 minutes, or at exit, with stderr).</summary>
    public async Task<string> ReadLineAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        var line = await _process.StandardOutput.ReadLineAsync(deadline.Token);
        return line ?? $"exited {(_process.WaitForExit(5000) ? _process.ExitCode : -1)}: {await _process.StandardError.ReadToEndAsync()}";
    }

    /// <summary>Sends a line to stdin.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The first REFUSED message flood.py read (its line without "refusal "), once <see cref="StatusAsync"/> saw one.</summary>
    public string? Refusal { get; private set; }

    /// <summary>
    /// Sends flood.py <c>status</c> and reads the <c>key value ...</c> pairs of the answer, and
    /// the refusal line that follows it once the flood was refused.
    /// </summary>
    public async Task<Dictionary<string, long>> StatusAsync()
    {
        await WriteLineAsync("status");
        var line = await ReadLineAsync();
        Assert.StartsWith("status ", line);
        var parts = line.Split(' ');
        var status = Enumerable.Range(0, (parts.Length - 1) / 2).ToDictionary(i => parts[1 + (2 * i)], i => long.Parse(parts[2 + (2 * i)], System.Globalization.CultureInfo.InvariantCulture));
        if (status.GetValueOrDefault("refused") > 0)
        {
            var refusal = await ReadLineAsync();
            Assert.StartsWith("refusal ", refusal);
            Refusal = refusal["refusal ".Length..];
        }

        return status;
    }

    /// <summary>Closes stdin, which ends the attack.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Waits for exit (1 minute at most) and returns the exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>The scripts, copied where every uid can read them (the checkout may be under /root).</summary>
    private static string CopyScripts()
    {
        var source = Path.Join(AppContext.BaseDirectory, "Attackers");
        var target = Path.Join("/tmp", $"mapd-it-attackers-{Environment.ProcessId}");
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source, "*.py"))
        {
            var copy = Path.Join(target, Path.GetFileName(file));
            File.Copy(file, copy, overwrite: true);
            File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        File.SetUnixFileMode(target, (UnixFileMode)0b111_101_101);
        return target;
    }
}
