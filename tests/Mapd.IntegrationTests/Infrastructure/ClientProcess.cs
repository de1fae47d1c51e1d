using System.Diagnostics;

namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>
/// A separate client process (tests/Mapd.TestClient) using the real client library. Each
/// command answers one line: "ok ..." or "error CODE message".
/// </summary>
public sealed class ClientProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ClientProcess(Process process) => _process = process;

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
        return new ClientProcess(Process.Start(start)!);
    }

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Reads the next line the client printed (fails after 60 s or at exit, with its stderr).</summary>
    public async Task<string> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var line = await _process.StandardOutput.ReadLineAsync(timeout.Token);
        return line ?? $"exited {(_process.WaitForExit(5000) ? _process.ExitCode : -1)}: {await _process.StandardError.ReadToEndAsync()}";
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

    /// <summary>Waits for exit and returns the exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
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
