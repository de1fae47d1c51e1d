using System.Diagnostics;
using System.Globalization;

namespace Mapd.Bench;

/// <summary>The scale benchmark's handle on a <see cref="ListLoop"/> process.</summary>
internal sealed class ListLoopProcess : IDisposable
{
    private readonly Process _process;

    private ListLoopProcess(Process process) => _process = process;

    /// <summary>
    /// Starts the process (this executable again) against the daemon in <paramref name="socketDirectory"/>,
    /// under <c>nice -n <paramref name="nice"/></c> when one is given.
    /// </summary>
    public static async Task<ListLoopProcess> StartAsync(string socketDirectory, int? nice = null)
    {
        var start = SelfCommand.For(ListLoop.Command);
        start.RedirectStandardInput = true;
        start.ArgumentList.Add(socketDirectory);
        if (nice is { } value)
        {
            string[] command = [start.FileName, .. start.ArgumentList];
            start.FileName = "nice";
            start.ArgumentList.Clear();
            foreach (var argument in (string[])["-n", value.ToString(System.Globalization.CultureInfo.InvariantCulture), .. command])
            {
                start.ArgumentList.Add(argument);
            }
        }

        var loop = new ListLoopProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start the List loop"));
        await loop.ExpectAsync("ready");
        return loop;
    }

    /// <summary>Starts listing.</summary>
    public async Task RunAsync()
    {
        await _process.StandardInput.WriteLineAsync("run");
        await _process.StandardInput.FlushAsync();
        await ExpectAsync("running");
    }

    /// <summary>Stops listing and returns how many Lists ran since <see cref="RunAsync"/>.</summary>
    public async Task<long> PauseAsync()
    {
        await _process.StandardInput.WriteLineAsync("pause");
        await _process.StandardInput.FlushAsync();
        return long.Parse((await ExpectAsync("paused "))["paused ".Length..], CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                _process.Kill();
            }
        }

        _process.Dispose();
    }

    private async Task<string> ExpectAsync(string prefix)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var line = await _process.StandardOutput.ReadLineAsync(timeout.Token)
            ?? throw new InvalidOperationException($"the List loop process exited with {(_process.WaitForExit(5000) ? _process.ExitCode : -1)}");
        return line.StartsWith(prefix, StringComparison.Ordinal) ? line : throw new InvalidOperationException($"the List loop process said '{line}', not '{prefix}...'");
    }
}
