namespace Mapd.Cli;

/// <summary>A parsed, validated command line.</summary>
/// <param name="Verb">The command.</param>
/// <param name="SocketDirectory">The daemon's socket directory from <c>--socket</c>; null leaves the choice to <c>MAPD_SOCKET_DIR</c> and the contract's default.</param>
/// <param name="Name">The region name, for commands that take one (already valid by the contract's rule).</param>
/// <param name="Size">Bytes, for <c>create</c> and <c>resize</c>; at least 1.</param>
/// <param name="Mode">Permission bits for <c>create</c>; 0 when <c>--mode</c> was not given, which the daemon reads as 0600.</param>
/// <param name="Format">How <c>ls</c> and <c>stat</c> print.</param>
internal sealed record Invocation(
    Verb Verb,
    string? SocketDirectory = null,
    string Name = "",
    long Size = 0,
    uint Mode = 0,
    OutputFormat Format = OutputFormat.Human);
