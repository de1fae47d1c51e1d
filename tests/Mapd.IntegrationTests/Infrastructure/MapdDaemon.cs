using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Mapd.Client;

namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>
/// The real daemon, run as a separate process on a real tmpfs: a freshly mounted one when the
/// tests run as root (as CI does), else a directory of its own in /dev/shm. Readiness is the
/// daemon's own READY=1 on a NOTIFY_SOCKET this class provides.
/// </summary>
public sealed class MapdDaemon : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private readonly Dictionary<string, string> _settings;
    private Process? _process;

    private MapdDaemon(string root, Dictionary<string, string> settings)
    {
        Root = root;
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

    /// <summary>The running process's id.</summary>
    public int Pid => _process?.Id ?? 0;

    /// <summary>Everything the daemon wrote so far, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts a daemon with a fresh storage of <paramref name="storageSize"/> and extra settings.</summary>
    public static async Task<MapdDaemon> StartAsync(string storageSize = "256M", IReadOnlyDictionary<string, string>? settings = null)
    {
        var root = Directory.CreateTempSubdirectory("mapd-it-").FullName;
        Directory.CreateDirectory(Path.Join(root, "run"));

        // Other uids (setpriv tests) must reach the sockets; the socket mode decides who may connect.
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var all = new Dictionary<string, string>
        {
            ["Mapd:SocketDirectory"] = Path.Join(root, "run"),
            ["Mapd:Storage:Size"] = storageSize,
            ["Mapd:Metrics:Url"] = string.Empty,
            ["Mapd:Grace:RecoveryWindow"] = "00:00:02",
        };
        if (TestEnvironment.IsRoot)
        {
            all["Mapd:Storage:Path"] = Path.Join(root, "storage");
            all["Mapd:Storage:Mount"] = "true";
        }
        else
        {
            all["Mapd:Storage:Path"] = Path.Join("/dev/shm", Path.GetFileName(root));
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        var daemon = new MapdDaemon(root, all);
        await daemon.StartProcessAsync();
        return daemon;
    }

    /// <summary>Starts the daemon again on the same storage (after <see cref="KillAsync"/> or <see cref="StopAsync"/>).</summary>
    public Task RestartAsync() => StartProcessAsync();

    /// <summary>SIGKILL: no shutdown code runs, as in a crash.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException("not running");
        process.Kill();
        await process.WaitForExitAsync();
        _process = null;
    }

    /// <summary>SIGTERM and wait for a clean exit; returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        var process = _process ?? throw new InvalidOperationException("not running");
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);
        _process = null;
        return process.ExitCode;
    }

    /// <summary>A client library connection, in this test process.</summary>
    public Task<MapdClient> ConnectAsync(MapdClientOptions? options = null) =>
        MapdClient.ConnectAsync((options ?? new MapdClientOptions()) with { SocketDirectory = SocketDirectory });

    /// <summary>Runs the daemon binary with arguments and returns its exit code and output, for start-up failures.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(IEnumerable<string> arguments, string? asUser = null)
    {
        var start = asUser is null
            ? new ProcessStartInfo(TestEnvironment.DotnetHost)
            : new ProcessStartInfo(TestEnvironment.FindTool("setpriv") ?? "setpriv");
        if (asUser is not null)
        {
            foreach (var a in SwitchUser.Arguments(asUser))
            {
                start.ArgumentList.Add(a);
            }

            start.ArgumentList.Add(TestEnvironment.DotnetHost);
        }

        start.ArgumentList.Add(asUser is null ? TestEnvironment.DaemonDll : PublicCopy.Of(TestEnvironment.DaemonDll));
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.Environment["HOME"] = "/tmp";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        if (MountsStorage)
        {
            using var umount = Process.Start("umount", ["-l", StoragePath]);
            await umount.WaitForExitAsync();
        }
        else
        {
            TryDelete(StoragePath);
        }

        TryDelete(Root);
    }

    private async Task StartProcessAsync()
    {
        var notifyPath = Path.Join(Root, $"notify-{Guid.NewGuid():N}"[..20]);
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));

        var start = new ProcessStartInfo(TestEnvironment.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(TestEnvironment.DaemonDll);
        foreach (var (key, value) in _settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["NOTIFY_SOCKET"] = notifyPath;
        start.Environment.Remove("XDG_RUNTIME_DIR");
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var receive = notify.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).AsTask();
            var exited = process.WaitForExitAsync(timeout.Token);
            try
            {
                if (await Task.WhenAny(receive, exited) == exited)
                {
                    await exited;
                    throw new InvalidOperationException($"mapd exited with {process.ExitCode} before READY=1:\n{Log}");
                }

                var message = Encoding.UTF8.GetString(buffer, 0, await receive);
                if (message.Split('\n').Contains("READY=1"))
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"mapd did not send READY=1 within 30 s:\n{Log}");
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
