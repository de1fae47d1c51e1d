namespace Mapd.Cli.Parsing;

/// <summary>mapctl's usage texts: the full help and the one-line synopsis of each command.</summary>
internal static class Usage
{
    /// <summary>The synopsis of every command, as the design's contract writes it, plus the commands added since.</summary>
    public const string Summary = "mapctl [--socket PATH] ls|create NAME SIZE [--mode 0640]|stat NAME|resize NAME SIZE|rm NAME|sessions|watch [NAME...]|status|version|help [COMMAND]|completions SHELL";

    /// <summary>What <c>--help</c> prints.</summary>
    public const string Help = """
        usage: mapctl [--socket PATH] COMMAND [ARGS]

        commands:
          ls [--json | --names] [--no-headers] [--prefix P]
                                          list regions; with P, only names that start with P
          create NAME SIZE [--mode MODE] [--max-size SIZE]
                                          create a region (MODE is octal, default 0600); --max-size lets
                                          mappers reserve address space so the region grows in place
          stat NAME [--json]              describe a region: sizes, who maps it, any pending shrink
          resize NAME SIZE [--expect-generation N]
                                          grow (committed at once) or shrink (committed once every mapper
                                          released the tail); with N, only if the generation is still N
          rm NAME                         delete a region (its memory returns once nobody maps it)
          sessions [--json] [--no-headers]
                                          list the daemon's client sessions (all for root, else yours)
          watch [NAME...] [--json]        print region events as they happen, one per line: the current
                                          state first, then RESIZED, SHRINK_PENDING, DELETED; no NAME
                                          follows every region; runs until Ctrl-C (exit 0)
          status [--json]                 describe the daemon: version, uptime, capacity and use, regions,
                                          sessions, pending shrinks, health, storage path
          version                         print mapctl's version
          help [COMMAND]                  print this help, or one command's (also: COMMAND --help)
          completions bash|zsh|fish       print the shell's completion script, e.g.
                                          mapctl completions bash > /etc/bash_completion.d/mapctl

        options:
          --socket PATH  the daemon's socket directory, or its mapd.sock; default $MAPD_SOCKET_DIR, else
                         your own daemon's directory when one serves there ($XDG_RUNTIME_DIR/mapd, else
                         /tmp/mapd-UID), else /run/mapd
          --json         print snake_case JSON with the proto's field names (watch: one object per line)
          --names        print region names only, one per line
          --no-headers   print tables without their header line, for scripts
          -h, --help     print this help
          --version      print mapctl's version

        SIZE is bytes with an optional binary suffix K M G T: 4096, 64M (64 MiB), 8G, 1T.
        Use -- before a region name that starts with '-'. Times are UTC.

        exit codes: 0 done, 1 the daemon refused, 2 usage error, 3 daemon unreachable (or it ended
        a watch), 130 interrupted (except watch, which Ctrl-C ends with 0)

        """;

    /// <summary>The one-line synopsis of <paramref name="verb"/>.</summary>
    public static string Of(Verb verb) => verb switch
    {
        Verb.List => "mapctl [--socket PATH] ls [--json | --names] [--no-headers] [--prefix P]",
        Verb.Create => "mapctl [--socket PATH] create NAME SIZE [--mode MODE] [--max-size SIZE]",
        Verb.Stat => "mapctl [--socket PATH] stat NAME [--json]",
        Verb.Resize => "mapctl [--socket PATH] resize NAME SIZE [--expect-generation N]",
        Verb.Remove => "mapctl [--socket PATH] rm NAME",
        Verb.Sessions => "mapctl [--socket PATH] sessions [--json] [--no-headers]",
        Verb.Watch => "mapctl [--socket PATH] watch [NAME...] [--json]",
        Verb.Status => "mapctl [--socket PATH] status [--json]",
        Verb.Version => "mapctl version",
        Verb.Completions => "mapctl completions bash|zsh|fish",
        _ => "mapctl help [COMMAND]",
    };
}
