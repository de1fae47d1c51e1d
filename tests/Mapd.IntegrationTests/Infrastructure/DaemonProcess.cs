using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>
/// The daemon run the way a service manager runs it: a command line of the test's choosing
/// (possibly behind systemd-socket-activate), its own environment, its own NOTIFY_SOCKET, and
/// storage in a fresh /dev/shm directory. For tests of the process's lifecycle, where
/// <see cref="MapdDaemon"/> hides too much.
/// </summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Process _process;
    private bool _disposed;

    private DaemonProcess(string root, Process process, NotifySocket notify)
    {
        Root = root;
        _process = process;
        Notify = notify;
    }

    /// <summary>The scratch directory; sockets are in <see cref="SocketDirectory"/>.</summary>
    public string Root { get; }

    /// <summary>Where the sockets are.</summary>
    public string SocketDirectory => Path.Join(Root, "run");

    /// <summary>The storage directory.</summary>
    public string StoragePath => Path.Join("/dev/shm", Path.GetFileName(Root));

    /// <summary>The NOTIFY_SOCKET the daemon was given.</summary>
    public NotifySocket Notify { get; }

    /// <summary>The pid of the process started (the daemon itself once wrappers have exec'd).</summary>
    public int Pid => _process.Id;

    /// <summary>Everything written to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Creates the scratch directories without starting anything (to bind sockets first).</summary>
    public static string NewRoot()
    {
        var root = Directory.CreateTempSubdirectory("mapd-it-svc-").FullName;
        Directory.CreateDirectory(Path.Join(root, "run"));
        return root;
    }

    /// <summary>
    /// Starts <paramref name="prefix"/> (a wrapper such as systemd-socket-activate, or nothing)
    /// followed by <c>dotnet mapd.dll</c> with the scratch directories and <paramref name="settings"/>.
    /// </summary>
    public static DaemonProcess Start(string root, IEnumerable<string>? prefix = null, IReadOnlyDictionary<string, string>? environment = null, IEnumerable<string>? settings = null)
    {
        var notify = new NotifySocket(root);
        var command = (prefix ?? []).Concat([TestEnvironment.DotnetHost, TestEnvironment.DaemonDll]).ToList();
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in command.Skip(1).Concat(
        [
            $"--Mapd:SocketDirectory={Path.Join(root, "run")}",
            $"--Mapd:Storage:Path={Path.Join("/dev/shm", Path.GetFileName(root))}",
            "--Mapd:Storage:Size=64M",
            "--Mapd:Metrics:Url=",
        ]).Concat(settings ?? []))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NOTIFY_SOCKET"] = notify.Path;
        start.Environment.Remove("XDG_RUNTIME_DIR");
        start.Environment.Remove("JOURNAL_STREAM");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        var daemon = new DaemonProcess(root, process, notify);
        process.OutputDataReceived += (_, e) => daemon.Append(e.Data);
        process.ErrorDataReceived += (_, e) => daemon.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return daemon;
    }

    /// <summary>Waits for READY=1 (60 s at most), failing with the daemon's output.</summary>
    public async Task WaitReadyAsync(List<string>? seen = null)
    {
        try
        {
            await Notify.WaitForAsync(m => m == "READY=1", TimeSpan.FromSeconds(60), seen);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n--- output ---\n{Output}", e);
        }
    }

    /// <summary>Sends SIGTERM, as systemctl stop does.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Waits for exit (30 s at most) and returns the exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Notify.Dispose();
        foreach (var path in new[] { StoragePath, Root })
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (IOException)
            {
                // Already gone, or removed by the other daemon of a restart test.
            }
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
