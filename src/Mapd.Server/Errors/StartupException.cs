namespace Mapd.Server.Errors;

/// <summary>The daemon cannot start; the message is the one line an operator needs.</summary>
/// <param name="message">What is wrong and what to do about it, on one line.</param>
/// <param name="exitCode">What kind of failure it is: a bad setting unless said otherwise.</param>
public sealed class StartupException(string message, ExitCode exitCode = ExitCode.Configuration) : Exception(message)
{
    /// <summary>The exit status the daemon ends with.</summary>
    public ExitCode ExitCode { get; } = exitCode;
}
