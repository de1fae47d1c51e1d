namespace Mapd.Cli;

/// <summary>How <c>ls</c> and <c>stat</c> print regions.</summary>
internal enum OutputFormat
{
    /// <summary>An aligned table (<c>ls</c>) or <c>key: value</c> lines (<c>stat</c>).</summary>
    Human,

    /// <summary><c>--json</c>: snake_case fields named as in the proto.</summary>
    Json,

    /// <summary><c>--names</c> (<c>ls</c> only): one region name per line, for scripts and shell completion.</summary>
    Names,
}
