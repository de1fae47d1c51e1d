using System.Globalization;

namespace Mapd.Bench;

/// <summary>
/// CPU time of a process's threads in nanoseconds, from <c>/proc/PID/task/*/schedstat</c>
/// (the scheduler's own accounting, not 10 ms ticks), so the CPU one resize costs can be told
/// apart from the time it waits for a CPU on a shared machine.
/// </summary>
internal static class ProcessCpu
{
    /// <summary>Sum over the process's threads whose name <paramref name="include"/> accepts; 0 when the process is gone.</summary>
    public static long Nanoseconds(int pid, Func<string, bool>? include = null)
    {
        long total = 0;
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    if (include is not null && !include(File.ReadAllText(Path.Join(task, "comm")).TrimEnd('\n')))
                    {
                        continue;
                    }

                    var schedstat = File.ReadAllText(Path.Join(task, "schedstat"));
                    total += long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                    // The thread ended meanwhile.
                }
            }
        }
        catch (IOException)
        {
        }

        return total;
    }

    /// <summary>The pid of the process whose command line contains <paramref name="text"/>, or 0.</summary>
    public static int FindByCommandLine(string text)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Join(directory, "cmdline")).Replace('\0', ' ').Contains(text, StringComparison.Ordinal))
                {
                    return pid;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return 0;
    }
}
