using System.Diagnostics;
using System.Globalization;
using Mapd.Client;

namespace Mapd.Testing;

/// <summary>
/// The real daemon, run as a separate process on a real tmpfs: a freshly mounted one when
/// running as root (as CI does), else a directory of its own in /dev/shm; its sockets in a
/// scratch directory of its own. Readiness is the daemon's own READY=1 on a NOTIFY_SOCKET this
/// class provides, as systemd would. The one launcher of tests and benchmarks.
/// </summary>
public sealed class MapdDaemon : IAsyncDisposable, IDisposable
{
    private readonly MapdDaemonOptions _options;
    private readonly Dictionary<string, string> _settings;
    private readonly Queue<string> _output = new();
    private Process? _process;
    private NotifySocket? _notify;
    private bool _disposed;

    private MapdDaemon(string root, MapdDaemonOptions options, Dictionary<string, string> settings)
    {
        Root = root;
        _options = options;
        _settings = settings;
    }

    /// <summary>This daemon's scratch directory.</summary>
    public string Root { get; }

    /// <summary>Where the sockets are.</summary>
    public string SocketDirectory => Path.Join(Root, "run");

    /// <summary>The storage directory.</summary>
    public string StoragePath => _settings["Mapd:Storage:Path"];

    /// <summary>True when storage is a tmpfs this daemon mounts.</summary>
    public bool MountsStorage => _settings.GetValueOrDefault("Mapd:Storage:Mount") == "true";

    /// <summary>
    /// Waits until the daemon's output holds <paramref name="text"/> (at most
    /// <paramref name="timeout"/>, default 60 s). Its output comes through a pipe read on
    /// another thread, so a line written before READY=1 or before a reply may not be in
    /// <see cref="Log"/> yet when that arrives.
    /// </summary>
    public async Task WaitForLogAsync(string text, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var started = Stopwatch.GetTimestamp();
        while (!Log.Contains(text, StringComparison.Ordinal))
        {
            if (Stopwatch.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"mapd did not write \"{text}\" within {limit.TotalSeconds} s; it wrote:\n{Log}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>The running process's id (the daemon itself once a prefix command has exec'd).</summary>
    public int Pid => _process?.Id ?? 0;

    /// <summary>The NOTIFY_SOCKET of the running process.</summary>
    public NotifySocket Notify => _notify ?? throw new InvalidOperationException("not started");

    /// <summary>Everything the daemon wrote so far (the last <see cref="MapdDaemonOptions.KeptLines"/> lines when set), for messages.</summary>
    public string Log
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Starts a daemon with a fresh storage of <paramref name="storageSize"/> and extra settings, and waits for READY=1.</summary>
    public static Task<MapdDaemon> StartAsync(string storageSize = "256M", IReadOnlyDictionary<string, string>? settings = null) =>
        StartAsync(new MapdDaemonOptions { StorageSize = storageSize, Settings = settings ?? new Dictionary<string, string>() });

    /// <summary>Starts a daemon and waits for READY=1 (failing with its output).</summary>
    public static async Task<MapdDaemon> StartAsync(MapdDaemonOptions options, CancellationToken cancellationToken = default)
    {
        var daemon = Launch(options);
        try
        {
            await daemon.WaitReadyAsync(cancellationToken: cancellationToken);
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a daemon without waiting for it: for tests of start-up itself (socket activation, failures).</summary>
    public static MapdDaemon Launch(MapdDaemonOptions options)
    {
        var root = options.Root ?? NewRoot(options.RootPrefix);
        var mount = options.MountStorage ?? TestEnvironment.IsRoot;
        var settings = new Dictionary<string, string>
        {
            ["Mapd:SocketDirectory"] = Path.Join(root, "run"),
            ["Mapd:Metrics:Url"] = string.Empty,
            ["Mapd:Grace:RecoveryWindow"] = "00:00:02",
            ["Mapd:Storage:Path"] = mount ? Path.Join(root, "storage") : Path.Join("/dev/shm", Path.GetFileName(root)),
        };
        if (mount)
        {
            settings["Mapd:Storage:Mount"] = "true";
        }

        if (options.StorageSize is not null)
        {
            settings["Mapd:Storage:Size"] = options.StorageSize;
        }

        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        foreach (var key in options.UnsetSettings)
        {
            settings.Remove(key);
        }

        var daemon = new MapdDaemon(root, options, settings);
        daemon.StartProcess();
        return daemon;
    }

    /// <summary>A fresh scratch directory with an empty <c>run/</c> for sockets, readable by other uids (setpriv tests).</summary>
    public static string NewRoot(string prefix = "mapd-it-")
    {
        var root = Directory.CreateTempSubdirectory(prefix).FullName;
        Directory.CreateDirectory(Path.Join(root, "run"));
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        return root;
    }

    /// <summary>Waits for READY=1, failing with the daemon's output when it exits first or takes longer than <paramref name="timeout"/> (default 60 s: a loaded machine starts .NET slowly).</summary>
    /// <param name="seen">Collects every sd_notify line read while waiting.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async Task WaitReadyAsync(List<string>? seen = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var process = _process ?? throw new InvalidOperationException("not running");
        var wait = timeout ?? TimeSpan.FromSeconds(60);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(wait);
        var ready = Notify.WaitForAsync(m => m == "READY=1", wait, seen);
        var exited = process.WaitForExitAsync(deadline.Token);
        try
        {
            if (await Task.WhenAny(ready, exited) == exited)
            {
                await exited;
                throw new InvalidOperationException($"mapd exited with {process.ExitCode} before READY=1:\n{Log}");
            }

            await ready;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"mapd did not send READY=1 within {wait.TotalSeconds} s:\n{Log}", e);
        }
    }

    /// <summary>Starts the daemon again on the same storage and sockets (after <see cref="KillAsync"/> or <see cref="StopAsync"/>), and waits for READY=1.</summary>
    public async Task RestartAsync()
    {
        StartProcess();
        await WaitReadyAsync();
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException("not running");
        process.Kill();
        await process.WaitForExitAsync();
    }

    /// <summary>Sends SIGTERM, as systemctl stop does, without waiting.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Waits for the process to exit (<paramref name="timeout"/>, default 30 s) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        var process = _process ?? throw new InvalidOperationException("not running");
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(deadline.Token);
        return process.ExitCode;
    }

    /// <summary>SIGTERM and wait for a clean exit; returns the exit code. The daemon may be started again.</summary>
    public async Task<int> StopAsync()
    {
        Terminate();
        return await WaitForExitAsync();
    }

    /// <summary>CPU time the daemon has used so far, all threads (from /proc, 10 ms resolution).</summary>
    public TimeSpan CpuTime()
    {
        var process = _process ?? throw new InvalidOperationException("not running");
        process.Refresh();
        return process.TotalProcessorTime;
    }

    /// <summary>A client library connection, in this process.</summary>
    public Task<MapdClient> ConnectAsync(MapdClientOptions? options = null) =>
        MapdClient.ConnectAsync((options ?? new MapdClientOptions()) with { SocketDirectory = SocketDirectory });

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_process is { HasExited: false } process)
        {
            if (_options.StopGracefully)
            {
                Terminate();
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await process.WaitForExitAsync(grace.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        _process?.Dispose();
        _notify?.Dispose();
        if (MountsStorage)
        {
            using var umount = Process.Start("umount", ["-l", StoragePath]);
            await umount.WaitForExitAsync();
        }

        TryDelete(StoragePath);
        TryDelete(Root);
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void StartProcess()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"mapd (pid {_process.Id}) is still running; stop or kill it before starting it again");
        }

        _process?.Dispose();
        _notify?.Dispose();
        _notify = new NotifySocket(Root);
        var command = _options.Prefix.Concat([TestEnvironment.DotnetHost, _options.DaemonDll ?? TestEnvironment.DaemonDll]).ToList();
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in _settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        // A daemon or session in the environment (systemd, a shell) must not steer this one.
        start.Environment["NOTIFY_SOCKET"] = _notify.Path;
        start.Environment.Remove("XDG_RUNTIME_DIR");
        start.Environment.Remove("JOURNAL_STREAM");
        start.Environment.Remove("MAPD_SOCKET_DIR");
        foreach (var (key, value) in _options.Environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_options.KeptLines > 0 && _output.Count > _options.KeptLines)
            {
                _output.Dequeue();
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
