using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>
/// A separate client process (tests/Mapd.TestClient) using the real client library. Each
/// command answers one line: "ok ..." or "error CODE message". Waiting on it is bounded by
/// <see cref="Deadline"/>; running past it fails with what the child wrote to stderr.
/// </summary>
public sealed class ClientProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _command;
    private readonly StringBuilder _stderr = new();

    private ClientProcess(Process process, string command)
    {
        _process = process;
        _command = command;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
    }

    /// <summary>
    /// How long one wait for the child (a line, or its exit) may take. A child is a .NET process
    /// that starts, JITs and connects on a machine other builds may be loading, so the default
    /// is generous (3 minutes); a hung child still fails the test, with its stderr.
    /// MAPD_TEST_CLIENT_DEADLINE (seconds) overrides it.
    /// </summary>
    public static TimeSpan Deadline { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("MAPD_TEST_CLIENT_DEADLINE"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromMinutes(3);

    /// <summary>Runs one command to completion and returns its line of output.</summary>
    public static async Task<string> RunAsync(MapdDaemon daemon, string? asUser, params string[] command)
    {
        await using var client = Start(daemon, asUser, command);
        var line = await client.ReadLineAsync();
        await client.WaitForExitAsync();
        return line;
    }

    /// <summary>Starts a long-running command (hold, session); talk to it through its stdin and stdout.</summary>
    public static ClientProcess Start(MapdDaemon daemon, string? asUser, params string[] command)
    {
        ProcessStartInfo start;
        string dll;
        if (asUser is null)
        {
            start = new ProcessStartInfo(TestEnvironment.DotnetHost);
            dll = TestEnvironment.TestClientDll;
        }
        else
        {
            start = new ProcessStartInfo(TestEnvironment.FindTool("setpriv") ?? throw new InvalidOperationException("setpriv (util-linux) is not installed"));
            foreach (var a in SwitchUser.Arguments(asUser))
            {
                start.ArgumentList.Add(a);
            }

            start.ArgumentList.Add(TestEnvironment.DotnetHost);
            dll = PublicCopy.Of(TestEnvironment.TestClientDll);
        }

        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(daemon.SocketDirectory);
        foreach (var part in command)
        {
            start.ArgumentList.Add(part);
        }

        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.Environment["HOME"] = "/tmp";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return new ClientProcess(Process.Start(start)!, string.Join(' ', command));
    }

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    /// <summary>
    /// Reads the next line the client printed. At exit it returns "exited CODE: stderr"; past
    /// <see cref="Deadline"/> it throws <see cref="TimeoutException"/> with the child's stderr.
    /// </summary>
    public async Task<string> ReadLineAsync()
    {
        string? line;
        using (var deadline = new CancellationTokenSource(Deadline))
        {
            try
            {
                line = await _process.StandardOutput.ReadLineAsync(deadline.Token);
            }
            catch (OperationCanceledException e) when (deadline.IsCancellationRequested)
            {
                throw Overdue("printed no line", e);
            }
        }

        if (line is not null)
        {
            return line;
        }

        var code = await WaitForExitAsync();
        return $"exited {code}: {Stderr()}";
    }

    /// <summary>Sends a line to the client's stdin.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Closes stdin so a long-running command finishes.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>SIGKILL.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGSTOP: the process does nothing, as a client that is descheduled or swapped out, until <see cref="Resume"/>.</summary>
    public void Pause() => Signal("-STOP");

    /// <summary>SIGCONT: a paused process goes on.</summary>
    public void Resume() => Signal("-CONT");

    /// <summary>Waits for exit and returns the exit code; past <see cref="Deadline"/> it throws <see cref="TimeoutException"/> with the child's stderr.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested)
        {
            throw Overdue("did not exit", e);
        }

        return _process.ExitCode;
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill {signal} {_process.Id} exited {kill.ExitCode}");
        }
    }

    private TimeoutException Overdue(string what, Exception inner) =>
        new($"test client '{_command}' (pid {_process.Id}) {what} within {Deadline.TotalSeconds} s; its stderr:\n{Stderr()}", inner);

    private string Stderr()
    {
        lock (_stderr)
        {
            return _stderr.ToString();
        }
    }

    /// <inheritdoc />
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
