using System.Globalization;
using Mapd.Cli.Output;

namespace Mapd.Cli.Parsing;

/// <summary>
/// Reads the values on a command line (names, sizes, modes, generations) and refuses, before
/// anything is sent, what the daemon would refuse anyway, saying how to write it instead.
/// </summary>
internal static class OperandValues
{
    /// <summary>A region name by the contract's rule.</summary>
    public static string RegionName(Verb verb, string name) =>
        Protocol.RegionName.Validate(name) is { } problem ? throw UsageException.For(verb, problem) : name;

    /// <summary>A name prefix for <c>ls --prefix</c>: the start of a valid name, or empty for every region.</summary>
    public static string Prefix(string? text) =>
        Protocol.RegionName.ValidatePrefix(text) is { } problem ? throw UsageException.For(Verb.List, problem) : text ?? "";

    /// <summary>A size in bytes with an optional binary suffix; at least 1.</summary>
    public static long Size(Verb verb, string text, string what)
    {
        if (!ByteSize.TryParse(text, out var bytes))
        {
            throw UsageException.For(verb, $"'{text}' is not a size; write bytes with an optional binary suffix K M G T, e.g. 4096, 64M, 8G");
        }

        return bytes switch
        {
            0 => throw UsageException.For(verb, $"{what} must be at least 1 byte"),
            > long.MaxValue => throw UsageException.For(verb, $"'{text}' is larger than any region can be"),
            _ => (long)bytes,
        };
    }

    /// <summary>
    /// The address space every mapper reserves so the region can grow in place; below SIZE it
    /// could never hold the region, which the daemon refuses too. 0 when not given.
    /// </summary>
    public static long MaxSize(string? text, long size)
    {
        if (text is null)
        {
            return 0;
        }

        var maxSize = Size(Verb.Create, text, "--max-size");
        return maxSize >= size
            ? maxSize
            : throw UsageException.For(Verb.Create, $"--max-size {RegionText.Size(maxSize)} is below SIZE {RegionText.Size(size)}; give the largest size the region may grow to");
    }

    /// <summary>Generations start at 1, so 0 (the wire's "any generation") is refused: leaving the option out says that.</summary>
    public static ulong Generation(string? text) =>
        text is null ? 0
        : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var generation) && generation > 0 ? generation
        : throw UsageException.For(Verb.Resize, $"--expect-generation '{text}' is not a generation; give the number 'mapctl stat' shows (1 or more), or leave the option out to resize whatever the generation");

    /// <summary>Octal permission bits; 0 when not given, which the daemon reads as 0600.</summary>
    public static uint Mode(string? text) =>
        text is null ? 0
        : PermissionBits.TryParse(text, out var mode, out var problem) ? mode
        : throw UsageException.For(Verb.Create, problem);

    /// <summary>A shell mapctl writes completions for.</summary>
    public static string Shell(string text) =>
        CommandTree.Shells.Contains(text)
            ? text
            : throw UsageException.For(Verb.Completions, $"mapctl has no completions for '{text}'; give {string.Join(", ", CommandTree.Shells.SkipLast(1))} or {CommandTree.Shells[^1]}");
}
