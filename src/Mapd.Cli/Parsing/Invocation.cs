namespace Mapd.Cli.Parsing;

/// <summary>A parsed, validated command line.</summary>
/// <param name="Verb">The command.</param>
/// <param name="SocketDirectory">The daemon's socket directory from <c>--socket</c>; null leaves the choice to the contract's discovery rule.</param>
/// <param name="Name">The region name, for commands that take one (already valid by the contract's rule).</param>
/// <param name="Size">Bytes, for <c>create</c> and <c>resize</c>; at least 1.</param>
/// <param name="Mode">Permission bits for <c>create</c>; 0 when <c>--mode</c> was not given, which the daemon reads as 0600.</param>
/// <param name="Format">How <c>ls</c>, <c>stat</c>, <c>sessions</c>, <c>watch</c> and <c>status</c> print.</param>
/// <param name="MaxSize">Bytes from <c>create --max-size</c>, at least <paramref name="Size"/>; 0 when not given (no hint).</param>
/// <param name="ExpectedGeneration">The generation <c>resize --expect-generation</c> requires; 0 resizes whatever the generation.</param>
/// <param name="Names">The region names <c>watch</c> follows, valid and without repeats; empty follows every region.</param>
/// <param name="Topic">For <see cref="Verb.Help"/>: the command whose help to print; null prints mapctl's whole help.</param>
/// <param name="Prefix">For <c>ls --prefix</c>: only names that start with it; empty lists every region.</param>
/// <param name="NoHeaders">For <c>--no-headers</c>: tables print their rows without the header line.</param>
/// <param name="Shell">For <c>completions</c>: <c>bash</c>, <c>zsh</c> or <c>fish</c>.</param>
internal sealed record Invocation(
    Verb Verb,
    string? SocketDirectory = null,
    string Name = "",
    long Size = 0,
    uint Mode = 0,
    OutputFormat Format = OutputFormat.Human,
    long MaxSize = 0,
    ulong ExpectedGeneration = 0,
    IReadOnlyList<string>? Names = null,
    Verb? Topic = null,
    string Prefix = "",
    bool NoHeaders = false,
    string Shell = "")
{
    /// <summary>The region names <c>watch</c> follows; never null.</summary>
    public IReadOnlyList<string> Names { get; init; } = Names ?? [];

    /// <summary>Value equality, <see cref="Names"/> compared element by element (a record would compare the list's reference).</summary>
    public bool Equals(Invocation? other) =>
        other is not null
        && Verb == other.Verb
        && SocketDirectory == other.SocketDirectory
        && Name == other.Name
        && Size == other.Size
        && Mode == other.Mode
        && Format == other.Format
        && MaxSize == other.MaxSize
        && ExpectedGeneration == other.ExpectedGeneration
        && Names.SequenceEqual(other.Names, StringComparer.Ordinal)
        && Topic == other.Topic
        && Prefix == other.Prefix
        && NoHeaders == other.NoHeaders
        && Shell == other.Shell;

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(
            HashCode.Combine(Verb, SocketDirectory, Name, Size, Mode, Format),
            HashCode.Combine(MaxSize, ExpectedGeneration, Names.Count, Topic, Prefix, NoHeaders, Shell));
}
