namespace Mapd.Cli;

/// <summary>The command line is wrong. The message is one line that ends with the usage of the command concerned.</summary>
internal sealed class UsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UsageException(string message)
        : base(message)
    {
    }
}
