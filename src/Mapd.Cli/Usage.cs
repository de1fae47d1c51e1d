namespace Mapd.Cli;

/// <summary>mapctl's usage texts: the full help and the one-line synopsis of each command.</summary>
internal static class Usage
{
    /// <summary>The synopsis of every command, as the design's contract writes it.</summary>
    public const string Summary = "mapctl [--socket PATH] ls|create NAME SIZE [--mode 0640]|stat NAME|resize NAME SIZE|rm NAME|version";

    /// <summary>What <c>--help</c> prints.</summary>
    public const string Help = """
        usage: mapctl [--socket PATH] COMMAND [ARGS]

        commands:
          ls [--json | --names]           list regions
          create NAME SIZE [--mode MODE]  create a region (MODE is octal, default 0600)
          stat NAME [--json]              describe a region
          resize NAME SIZE                grow or shrink a region
          rm NAME                         delete a region (its memory returns once nobody maps it)
          version                         print mapctl's version

        options:
          --socket PATH  the daemon's socket directory, or its mapd.sock; default $MAPD_SOCKET_DIR,
                         else /run/mapd for root, $XDG_RUNTIME_DIR/mapd, else /tmp/mapd-UID
          --json         print snake_case JSON with the proto's field names
          --names        print region names only, one per line
          -h, --help     print this help

        SIZE is bytes with an optional binary suffix K M G T: 4096, 64M (64 MiB), 8G, 1T.
        Use -- before a region name that starts with '-'.

        exit codes: 0 done, 1 the daemon refused, 2 usage error, 3 daemon unreachable, 130 interrupted

        """;

    /// <summary>The one-line synopsis of <paramref name="verb"/>.</summary>
    public static string Of(Verb verb) => verb switch
    {
        Verb.List => "mapctl [--socket PATH] ls [--json | --names]",
        Verb.Create => "mapctl [--socket PATH] create NAME SIZE [--mode MODE]",
        Verb.Stat => "mapctl [--socket PATH] stat NAME [--json]",
        Verb.Resize => "mapctl [--socket PATH] resize NAME SIZE",
        Verb.Remove => "mapctl [--socket PATH] rm NAME",
        Verb.Version => "mapctl version",
        _ => "mapctl --help",
    };
}
