namespace Mapd.SystemTests.Infrastructure;

/// <summary>How a command ended: its exit code and what it printed.</summary>
/// <param name="Command">The command line, for messages.</param>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error.</param>
public sealed record CommandResult(string Command, int ExitCode, string Output, string Error)
{
    /// <summary>Throws, with everything the command printed, unless it exited 0; returns its standard output.</summary>
    public string EnsureSuccess() =>
        ExitCode == 0 ? Output : throw new InvalidOperationException($"{this}");

    /// <inheritdoc />
    public override string ToString() => $"`{Command}` exited {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
