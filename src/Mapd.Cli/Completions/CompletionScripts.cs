using Mapd.Cli.Parsing;

namespace Mapd.Cli.Completions;

/// <summary><c>mapctl completions SHELL</c>: the script for each shell, generated from <see cref="CommandTree"/>.</summary>
internal static class CompletionScripts
{
    /// <summary>The file each script is committed as in <c>src/Mapd.Cli/completions/</c> (zsh finds completions by the name <c>_mapctl</c>).</summary>
    public static string FileName(string shell) => shell switch
    {
        "bash" => "mapctl.bash",
        "zsh" => "_mapctl",
        "fish" => "mapctl.fish",
        _ => throw new ArgumentOutOfRangeException(nameof(shell), shell, "not a shell mapctl completes"),
    };

    /// <summary>The script for <paramref name="shell"/>: <c>bash</c>, <c>zsh</c> or <c>fish</c>.</summary>
    public static string Of(string shell)
    {
        var model = CompletionModel.Of(CommandTree.Instance);
        return shell switch
        {
            "bash" => BashCompletion.Write(model),
            "zsh" => ZshCompletion.Write(model),
            "fish" => FishCompletion.Write(model),
            _ => throw new ArgumentOutOfRangeException(nameof(shell), shell, "not a shell mapctl completes"),
        };
    }
}
