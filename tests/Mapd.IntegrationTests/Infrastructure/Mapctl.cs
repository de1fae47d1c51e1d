using System.Diagnostics;

namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>The mapctl binary, as a process.</summary>
internal sealed class Mapctl : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly Task<string> _stderr;

    private Mapctl(Process process)
    {
        _process = process;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public bool HasExited => _process.HasExited;

    public static Task<MapctlResult> RunAsync(MapdDaemon daemon, params string[] args) => RunAsync(daemon.SocketDirectory, args);

    /// <summary>Runs <c>mapctl --socket DIRECTORY ARGS</c> to its end.</summary>
    public static async Task<MapctlResult> RunAsync(string socketDirectory, params string[] args)
    {
        await using var mapctl = Start(socketDirectory, args);
        var (exitCode, stdout, stderr) = await mapctl.WaitForExitAsync();
        return new MapctlResult(exitCode, stdout, stderr, mapctl._process.Id);
    }

    public static Mapctl Start(MapdDaemon daemon, params string[] args) => Start(daemon.SocketDirectory, args);

    /// <summary>Starts a long-running mapctl (watch); read its lines, then dispose it to kill it.</summary>
    public static Mapctl Start(string socketDirectory, params string[] args) =>
        StartWith(new Dictionary<string, string?>(), ["--socket", socketDirectory, .. args]);

    /// <summary>
    /// Runs <c>mapctl ARGS</c> to its end, without <c>--socket</c>: the discovery rule decides,
    /// with <paramref name="environment"/> set (null removes a variable) and MAPD_SOCKET_DIR unset unless given.
    /// </summary>
    public static async Task<MapctlResult> RunWithAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        await using var mapctl = StartWith(environment, args);
        var (exitCode, stdout, stderr) = await mapctl.WaitForExitAsync();
        return new MapctlResult(exitCode, stdout, stderr, mapctl._process.Id);
    }

    private static Mapctl StartWith(IReadOnlyDictionary<string, string?> environment, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(TestEnvironment.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(TestEnvironment.MapctlDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["HOME"] = "/tmp";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment.Remove("MAPD_SOCKET_DIR");
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return new Mapctl(Process.Start(start)!);
    }

    /// <summary>The next line on stdout; fails after a minute, or at exit with what stderr said.</summary>
    public async Task<string> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        string? line;
        try
        {
            line = await _process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"mapctl printed no line within {Patience.TotalSeconds} s");
        }

        return line ?? throw new InvalidOperationException($"mapctl ended its output (exit {(_process.WaitForExit(5000) ? _process.ExitCode : -1)}): {await _stderr}");
    }

    /// <summary>The next line on stdout that mentions <paramref name="text"/>, skipping others (other tests' regions).</summary>
    public async Task<string> ReadLineMatchingAsync(string text)
    {
        while (true)
        {
            var line = await ReadLineAsync();
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    /// <summary>Waits for exit; returns the exit code, the rest of stdout and all of stderr.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var rest = await _process.StandardOutput.ReadToEndAsync(timeout.Token);
        await _process.WaitForExitAsync(timeout.Token);
        return (_process.ExitCode, rest, await _stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
