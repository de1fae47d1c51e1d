namespace Mapd.Cli.Parsing;

/// <summary>How <c>ls</c>, <c>stat</c>, <c>sessions</c> and <c>watch</c> print.</summary>
internal enum OutputFormat
{
    /// <summary>An aligned table (<c>ls</c>, <c>sessions</c>), <c>key: value</c> lines (<c>stat</c>), or one event per line (<c>watch</c>).</summary>
    Human,

    /// <summary><c>--json</c>: snake_case fields named as in the proto; <c>watch</c> prints one compact object per line.</summary>
    Json,

    /// <summary><c>--names</c> (<c>ls</c> only): one region name per line, for scripts and shell completion.</summary>
    Names,
}
