namespace Mapd.Cli.Parsing;

/// <summary>The command line is wrong. The message is one line that ends with the usage of the command concerned.</summary>
internal sealed class UsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UsageException(string message)
        : base(message)
    {
    }

    /// <summary>The exception for <paramref name="problem"/>, ending with the synopsis of <paramref name="verb"/> (null: every command's).</summary>
    public static UsageException For(Verb? verb, string problem) =>
        new($"{problem} (usage: {(verb is { } v ? Usage.Of(v) : Usage.Summary)})");
}
