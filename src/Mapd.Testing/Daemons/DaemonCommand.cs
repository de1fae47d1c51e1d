using System.Diagnostics;

namespace Mapd.Testing;

/// <summary>The daemon binary run as a command, not as a service: for start-up failures, --help and --version.</summary>
public static class DaemonCommand
{
    /// <summary>Runs the daemon binary with arguments to its exit (60 s at most), for start-up failures; optionally as another user.</summary>
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
}
