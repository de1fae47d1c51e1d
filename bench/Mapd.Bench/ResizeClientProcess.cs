using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;

namespace Mapd.Bench;

/// <summary>
/// The bench's handle on one <see cref="ResizeClient"/> process: commands go to its stdin,
/// replies and change notices come back from its stdout, sorted into two queues.
/// </summary>
internal sealed class ResizeClientProcess : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _replies = Channel.CreateUnbounded<string>();
    private readonly Channel<Change> _changes = Channel.CreateUnbounded<Change>();
    private readonly Task _pump;

    private ResizeClientProcess(Process process)
    {
        _process = process;
        _pump = Task.Run(PumpAsync);
    }

    public int Pid => _process.Id;

    /// <summary>Starts a client (this executable with <see cref="ResizeClient.Command"/>) and waits for <c>ready</c>.</summary>
    public static async Task<ResizeClientProcess> StartAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = SelfCommand.For(ResizeClient.Command);
        start.RedirectStandardInput = true;
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var client = new ResizeClientProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start a resize client"));
        try
        {
            await client.ReplyAsync("ready", TimeSpan.FromSeconds(60), cancellationToken);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The next reply starting with <paramref name="prefix"/>; an <c>error</c> reply or the process ending throws.</summary>
    public async Task<string> ReplyAsync(string prefix, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var line = await _replies.Reader.ReadAsync(limit.Token);
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line;
                }

                if (line.StartsWith("error", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"resize client {Pid}: {line}");
                }
            }
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"resize client {Pid} exited (code {(_process.HasExited ? _process.ExitCode : -1)}) while the bench waited for '{prefix}'");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"resize client {Pid} did not say '{prefix}' within {timeout.TotalSeconds} s");
        }
    }

    /// <summary>Waits for the client to report a grow to at least <paramref name="size"/> at <paramref name="generation"/> or later; older notices are skipped.</summary>
    public async Task<Change> GrownAsync(ulong generation, long size, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var change = await _changes.Reader.ReadAsync(limit.Token);
                if (change.Kind == "Grown" && change.Generation >= generation && change.Size >= size)
                {
                    return change;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"resize client {Pid} did not apply generation {generation} within {timeout.TotalSeconds} s");
        }
    }

    /// <summary>Asks for the readers' histograms and returns them by slot.</summary>
    public async Task<Dictionary<int, LatencyHistogram>> ReportAsync(CancellationToken cancellationToken)
    {
        await SendAsync("report");
        var result = new Dictionary<int, LatencyHistogram>();
        while (true)
        {
            var line = await ReplyAsync(string.Empty, TimeSpan.FromSeconds(30), cancellationToken);
            if (line == "reported")
            {
                return result;
            }

            if (line.StartsWith("error", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"resize client {Pid}: {line}");
            }

            if (line.StartsWith("hist ", StringComparison.Ordinal))
            {
                var fields = line.Split(' ');
                result[int.Parse(fields[1], CultureInfo.InvariantCulture)] = LatencyHistogram.Parse(fields.AsSpan(2));
            }
        }
    }

    /// <summary>Closes its stdin (it exits and closes its session), then kills it if it lingers.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(TimeSpan.FromSeconds(5));
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
        }
        finally
        {
            _pump.Wait(TimeSpan.FromSeconds(5));
            _process.Dispose();
        }
    }

    private async Task PumpAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("change ", StringComparison.Ordinal))
                {
                    var fields = line.Split(' ');
                    _changes.Writer.TryWrite(new Change(
                        fields[1],
                        long.Parse(fields[2], CultureInfo.InvariantCulture),
                        ulong.Parse(fields[3], CultureInfo.InvariantCulture),
                        bool.Parse(fields[4]),
                        long.Parse(fields[5], CultureInfo.InvariantCulture)));
                }
                else
                {
                    _replies.Writer.TryWrite(line);
                }
            }
        }
        catch (IOException)
        {
        }
        finally
        {
            _replies.Writer.TryComplete();
            _changes.Writer.TryComplete();
        }
    }

    /// <summary>A change as the client applied it, with its Stopwatch timestamp.</summary>
    internal sealed record Change(string Kind, long Size, ulong Generation, bool Moved, long Stamp);
}
