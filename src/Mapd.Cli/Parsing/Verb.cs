namespace Mapd.Cli.Parsing;

/// <summary>What mapctl was asked to do.</summary>
internal enum Verb
{
    /// <summary><c>--help</c>, <c>-h</c>, <c>help [COMMAND]</c> or <c>COMMAND --help</c>.</summary>
    Help,

    /// <summary><c>version</c> or <c>--version</c>.</summary>
    Version,

    /// <summary><c>ls</c>.</summary>
    List,

    /// <summary><c>create NAME SIZE</c>.</summary>
    Create,

    /// <summary><c>stat NAME</c>.</summary>
    Stat,

    /// <summary><c>resize NAME SIZE</c>.</summary>
    Resize,

    /// <summary><c>rm NAME</c>.</summary>
    Remove,

    /// <summary><c>sessions</c>.</summary>
    Sessions,

    /// <summary><c>watch [NAME...]</c>.</summary>
    Watch,

    /// <summary><c>status</c>: the daemon's version, uptime, capacity and health.</summary>
    Status,

    /// <summary><c>completions SHELL</c>: print the shell completion script.</summary>
    Completions,
}
