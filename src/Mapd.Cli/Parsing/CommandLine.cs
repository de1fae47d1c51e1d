using System.CommandLine;

namespace Mapd.Cli.Parsing;

/// <summary>
/// Parses mapctl's arguments: <c>mapctl [--socket PATH] ls|create NAME SIZE [--mode 0640] [--max-size SIZE]|stat NAME|
/// resize NAME SIZE [--expect-generation N]|rm NAME|sessions|watch [NAME...]|status|version|help [COMMAND]|completions SHELL</c>.
/// Options may stand before or after the command, in <c>--option VALUE</c> or <c>--option=VALUE</c>
/// form; <c>--</c> ends the options, for region names that start with a dash. Everything the
/// daemon would refuse anyway (bad names, sizes, modes) is refused here, before connecting.
/// </summary>
/// <remarks>
/// <see cref="OptionScanner"/> checks the options' spelling, System.CommandLine parses the words
/// against <see cref="CommandTree"/>, and <see cref="InvocationReader"/> turns its result into an
/// <see cref="Invocation"/>, wording every problem as mapctl always has.
/// </remarks>
internal static class CommandLine
{
    // No @response files and no bundling of -abc into -a -b -c: neither was ever mapctl's syntax.
    private static readonly ParserConfiguration Configuration = new() { EnablePosixBundling = false, ResponseFileTokenReplacer = null };

    /// <summary>Parses and validates <paramref name="args"/>.</summary>
    /// <exception cref="UsageException">The arguments are wrong; the message says how, on one line, with the usage.</exception>
    public static Invocation Parse(IReadOnlyList<string> args)
    {
        var tree = CommandTree.Instance;
        var words = OptionScanner.Scan(args, tree);
        return InvocationReader.Read(tree.Root.Parse(words, Configuration), tree);
    }

    /// <summary>
    /// The socket directory that <paramref name="path"/> names: the path itself, or its directory
    /// when it points at <c>mapd.sock</c> or <c>mapd-fd.sock</c>. Absolute, so error messages
    /// show where mapctl looked.
    /// </summary>
    public static string SocketDirectoryOf(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var file = Path.GetFileName(full);
        return file is SocketLocation.GrpcSocketName or SocketLocation.SessionSocketName
            ? Path.GetDirectoryName(full) ?? full
            : full;
    }

    /// <summary>The command's name as typed: <c>ls</c>, <c>create</c>, <c>rm</c>...</summary>
    public static string NameOf(Verb verb) => CommandTree.Instance.CommandOf(verb).Name;
}
