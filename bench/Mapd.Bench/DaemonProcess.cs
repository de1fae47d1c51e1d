using System.Diagnostics;
using System.Net.Sockets;
using Mapd.Client.Internal;
using Mapd.Native;

namespace Mapd.Bench;

/// <summary>
/// The real daemon, started as a separate process on a private socket directory and storage
/// directory, so the benchmark measures exactly what clients get (two processes, real
/// sockets) and never touches a daemon someone else runs.
/// </summary>
internal sealed class DaemonProcess : IDisposable
{
    private const int KeptLines = 40;
    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private DaemonProcess(Process process, string socketDirectory, string storageDirectory)
    {
        _process = process;
        SocketDirectory = socketDirectory;
        StorageDirectory = storageDirectory;
    }

    public string SocketDirectory { get; }

    public string StorageDirectory { get; }

    /// <summary>CPU time the daemon has used so far, all threads (from /proc, 10 ms resolution).</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>Starts <c>mapd.dll</c> and returns once both sockets accept connections.</summary>
    public static async Task<DaemonProcess> StartAsync(string daemonPath, IEnumerable<string> extraArguments, CancellationToken cancellationToken)
    {
        var pid = Environment.ProcessId;
        var socketDirectory = Path.Join(Path.GetTempPath(), $"mapd-bench-{pid}");
        var storageDirectory = $"/dev/shm/mapd-bench-{pid}";
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(daemonPath);
        start.ArgumentList.Add($"--Mapd:SocketDirectory={socketDirectory}");
        start.ArgumentList.Add($"--Mapd:Storage:Path={storageDirectory}");
        start.ArgumentList.Add("--Mapd:Metrics:Url=");
        foreach (var argument in extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A daemon in the environment (systemd, a shell) must not steer the bench's own one.
        start.Environment.Remove("NOTIFY_SOCKET");
        start.Environment.Remove("MAPD_SOCKET_DIR");

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {daemonPath}");
        var daemon = new DaemonProcess(process, socketDirectory, storageDirectory);
        process.OutputDataReceived += (_, e) => daemon.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => daemon.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await daemon.WaitForSocketsAsync(cancellationToken);
            return daemon;
        }
        catch
        {
            daemon.Dispose();
            throw;
        }
    }

    /// <summary>The repository's Release build of the daemon, found by walking up to <c>mapd.sln</c>.</summary>
    public static string FindDaemon()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Join(directory.FullName, "mapd.sln")))
            {
                var path = Path.Join(directory.FullName, "src", "Mapd.Server", "bin", "Release", "net10.0", "mapd.dll");
                return File.Exists(path)
                    ? path
                    : throw new FileNotFoundException($"{path} is missing: run 'dotnet build -c Release src/Mapd.Server' in {directory.FullName} first, or pass --daemon PATH");
            }
        }

        throw new FileNotFoundException($"no mapd.sln above {AppContext.BaseDirectory}; pass --daemon PATH/mapd.dll");
    }

    /// <summary>The daemon's last output lines, for error messages.</summary>
    public string Tail()
    {
        lock (_output)
        {
            return string.Join('\n', _output);
        }
    }

    /// <summary>Stops the daemon (SIGTERM, then SIGKILL after 5 s) and removes its directories.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                // SIGTERM lets the daemon unlink its sockets and release the storage lock.
                NativeMethods.Kill(_process.Id, NativeMethods.SIGTERM);
                if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(TimeSpan.FromSeconds(5));
                }
            }
        }
        catch (InvalidOperationException)
        {
            // It was never started or already reaped.
        }
        finally
        {
            _process.Dispose();
            DeleteDirectory(StorageDirectory);
            DeleteDirectory(SocketDirectory);
        }
    }

    /// <summary>The <c>dotnet</c> host running this process, so the daemon runs on the same runtime.</summary>
    internal static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private static void DeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Mapd.Bench: could not remove {path}: {e.Message}");
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > KeptLines)
            {
                _output.Dequeue();
            }
        }
    }

    private async Task WaitForSocketsAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
        var grpc = Path.Join(SocketDirectory, SocketLocation.GrpcSocketName);
        var session = Path.Join(SocketDirectory, SocketLocation.SessionSocketName);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"mapd exited with code {_process.ExitCode} before listening:\n{Tail()}");
            }

            if (File.Exists(grpc) && File.Exists(session) && await AcceptsAsync(grpc) && Handshakes(session))
            {
                return;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"mapd did not listen on {SocketDirectory} within 30 s:\n{Tail()}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private static async Task<bool> AcceptsAsync(string path)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A full HELLO/WELCOME, since a bare connect would leave a "no HELLO" warning in the daemon's log.</summary>
    private static bool Handshakes(string path)
    {
        try
        {
            SessionConnection.Connect(path).Dispose();
            return true;
        }
        catch (SystemCallException)
        {
            return false;
        }
    }
}
