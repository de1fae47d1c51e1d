using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Mapd.Bench;

/// <summary>What a benchmark's output says about where it ran.</summary>
internal static class BenchMachine
{
    /// <summary>A header naming the benchmark, the machine, the runtime and the daemon build, so a table can be traced back.</summary>
    public static string Describe(string title, string daemonPath)
    {
        var kernel = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        var model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        return $"""
            {title}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC
            machine: {Environment.ProcessorCount} vCPU ({model}), kernel {kernel}, {RuntimeInformation.FrameworkDescription}
            daemon: {daemonPath}
            source: {SourceVersion(daemonPath)}

            """;
    }

    /// <summary>The commit the daemon was built from and whether src/ had local changes, so a table can be traced back.</summary>
    private static string SourceVersion(string daemonPath)
    {
        try
        {
            var top = Git(Path.GetDirectoryName(Path.GetFullPath(daemonPath))!, "rev-parse --show-toplevel");
            if (top.Length == 0)
            {
                return "unknown (not a git checkout)";
            }

            var head = Git(top, "rev-parse --short HEAD");
            var changes = Git(top, "status --porcelain -- src");
            return head.Length == 0 ? "unknown (not a git checkout)" : changes.Length == 0 ? $"commit {head}" : $"commit {head} plus uncommitted changes in src/";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown (no git)";
        }

        static string Git(string directory, string arguments)
        {
            using var git = Process.Start(new ProcessStartInfo("git", $"-C \"{directory}\" {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : "";
        }
    }
}
