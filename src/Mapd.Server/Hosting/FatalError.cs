using Mapd.Server.Errors;

namespace Mapd.Server.Hosting;

/// <summary>
/// The last words of a daemon that cannot go on: one line on stderr, at error priority when
/// journald reads it (so <c>journalctl -u mapd -p err</c> shows why mapd is down).
/// </summary>
public static class FatalError
{
    private const string ErrorPriority = "<3>";
    private const string CriticalPriority = "<2>";

    /// <summary>Writes <c>mapd: MESSAGE</c> and returns the exit status to end with.</summary>
    public static int Report(string message, ExitCode exitCode)
    {
        Console.Error.WriteLine(Prefix(ErrorPriority) + "mapd: " + message.ReplaceLineEndings(" "));
        return (int)exitCode;
    }

    /// <summary>
    /// Reports an exception nobody expected: one line saying so, then the stack trace for the
    /// bug report, every line at critical priority.
    /// </summary>
    public static int ReportBug(Exception exception)
    {
        var prefix = Prefix(CriticalPriority);
        Console.Error.WriteLine($"{prefix}mapd: internal error, please report it: {exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")}");
        foreach (var line in exception.ToString().Split('\n'))
        {
            Console.Error.WriteLine(prefix + line.TrimEnd('\r'));
        }

        return (int)ExitCode.Software;
    }

    private static string Prefix(string priority) => JournalOutput.IsActive ? priority : string.Empty;
}
