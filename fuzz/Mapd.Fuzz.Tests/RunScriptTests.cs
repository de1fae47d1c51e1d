using System.Diagnostics;
using System.Text.RegularExpressions;
using Mapd.Testing;

namespace Mapd.Fuzz.Tests;

/// <summary>
/// fuzz/run.sh end to end on every CI run: publish, SharpFuzz instrumentation, AFL++'s fork
/// server around mapd-fuzz, and the figures it reports, on a short campaign of the requests target.
/// </summary>
public sealed partial class RunScriptTests
{
    [RequiresToolsFact("afl-fuzz", "afl-cmin")]
    public async Task A_short_afl_campaign_runs_the_requests_target_without_a_finding()
    {
        var script = Path.Join(Corpus.FuzzDirectory(), "run.sh");
        var start = new ProcessStartInfo("bash", [script, "requests", "20000"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var run = Process.Start(start)!;
        var stdout = run.StandardOutput.ReadToEndAsync();
        var stderr = run.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await run.WaitForExitAsync(deadline.Token);
        var output = await stdout + await stderr;

        Assert.True(run.ExitCode == 0, output);
        var figures = Figures().Match(output);
        Assert.True(figures.Success, output);
        Assert.True(long.Parse(figures.Groups["executions"].Value, System.Globalization.CultureInfo.InvariantCulture) >= 20_000, output);
        Assert.Equal("0", figures.Groups["crashes"].Value);
        Assert.Equal("0", figures.Groups["hangs"].Value);
    }

    [GeneratedRegex(@"requests: (?<executions>\d+) executions in \d+ s \([\d.]+ exec/s\), (?<crashes>\d+) crashes, (?<hangs>\d+) hangs")]
    private static partial Regex Figures();
}
