using System.Diagnostics;
using System.Globalization;

namespace Mapd.Cli;

/// <summary>
/// Parses mapctl's arguments: <c>mapctl [--socket PATH] ls|create NAME SIZE [--mode 0640] [--max-size SIZE]|stat NAME|
/// resize NAME SIZE [--expect-generation N]|rm NAME|sessions|watch [NAME...]</c>.
/// Options may stand before or after the command, in <c>--option VALUE</c> or <c>--option=VALUE</c>
/// form; <c>--</c> ends the options, for region names that start with a dash. Everything the
/// daemon would refuse anyway (bad names, sizes, modes) is refused here, before connecting.
/// </summary>
internal static class CommandLine
{
    /// <summary>Parses and validates <paramref name="args"/>.</summary>
    /// <exception cref="UsageException">The arguments are wrong; the message says how, on one line, with the usage.</exception>
    public static Invocation Parse(IReadOnlyList<string> args)
    {
        var options = new Options();
        var operands = new List<string>();
        var optionsEnded = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (optionsEnded || arg.Length < 2 || arg[0] != '-')
            {
                operands.Add(arg);
            }
            else if (arg == "--")
            {
                optionsEnded = true;
            }
            else
            {
                i = ReadOption(args, i, options);
            }
        }

        // Help and version win over whatever else is on the line, as in most tools: someone
        // who adds --help to a half-written command wants the help, not an error about it.
        if (options.Help || (operands.Count > 0 && operands[0] == "help"))
        {
            return new Invocation(Verb.Help);
        }

        if (options.Version)
        {
            return new Invocation(Verb.Version);
        }

        if (operands.Count == 0)
        {
            throw Usage(null, "no command given");
        }

        var verb = operands[0] switch
        {
            "ls" => Verb.List,
            "create" => Verb.Create,
            "stat" => Verb.Stat,
            "resize" => Verb.Resize,
            "rm" => Verb.Remove,
            "sessions" => Verb.Sessions,
            "watch" => Verb.Watch,
            "version" => Verb.Version,
            var other => throw Usage(null, $"unknown command '{other}'"),
        };
        return Build(verb, operands[1..], options);
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
    public static string NameOf(Verb verb) => verb switch
    {
        Verb.List => "ls",
        Verb.Create => "create",
        Verb.Stat => "stat",
        Verb.Resize => "resize",
        Verb.Remove => "rm",
        Verb.Sessions => "sessions",
        Verb.Watch => "watch",
        Verb.Version => "version",
        _ => "help",
    };

    private static int ReadOption(IReadOnlyList<string> args, int index, Options options)
    {
        var arg = args[index];
        var equals = arg.StartsWith("--", StringComparison.Ordinal) ? arg.IndexOf('=', StringComparison.Ordinal) : -1;
        var name = equals < 0 ? arg : arg[..equals];
        var inline = equals < 0 ? null : arg[(equals + 1)..];
        switch (name)
        {
            case "-h" or "--help":
                options.Help = true;
                break;
            case "--version":
                options.Version = true;
                break;
            case "--json":
                options.Json = true;
                break;
            case "--names":
                options.Names = true;
                break;
            case "--socket" or "--mode" or "--max-size" or "--expect-generation":
                string value;
                if (inline is not null)
                {
                    value = inline;
                }
                else if (index + 1 < args.Count)
                {
                    value = args[++index];
                }
                else
                {
                    throw Usage(null, $"{name} needs a value");
                }

                switch (name)
                {
                    case "--socket":
                        options.Socket = Once(options.Socket, value, name, null);
                        break;
                    case "--mode":
                        options.Mode = Once(options.Mode, value, name, Verb.Create);
                        break;
                    case "--max-size":
                        options.MaxSize = Once(options.MaxSize, value, name, Verb.Create);
                        break;
                    default:
                        options.ExpectGeneration = Once(options.ExpectGeneration, value, name, Verb.Resize);
                        break;
                }

                return index;
            default:
                throw Usage(null, $"unknown option '{name}'");
        }

        return inline is null ? index : throw Usage(null, $"{name} takes no value");
    }

    private static string Once(string? previous, string value, string name, Verb? verb) =>
        previous is null ? value : throw Usage(verb, $"{name} given twice");

    private static Invocation Build(Verb verb, List<string> operands, Options options)
    {
        RefuseOption(verb, options.Json, "--json", Verb.List, Verb.Stat, Verb.Sessions, Verb.Watch);
        RefuseOption(verb, options.Names, "--names", Verb.List);
        RefuseOption(verb, options.Mode is not null, "--mode", Verb.Create);
        RefuseOption(verb, options.MaxSize is not null, "--max-size", Verb.Create);
        RefuseOption(verb, options.ExpectGeneration is not null, "--expect-generation", Verb.Resize);
        if (options.Json && options.Names)
        {
            throw Usage(verb, "--json and --names exclude each other");
        }

        var socket = options.Socket switch
        {
            null => null,
            "" => throw Usage(verb, "--socket needs a path"),
            var path => SocketDirectoryOf(path),
        };
        var format = options.Json ? OutputFormat.Json : options.Names ? OutputFormat.Names : OutputFormat.Human;
        var invocation = new Invocation(verb, socket, Format: format);
        switch (verb)
        {
            case Verb.List or Verb.Sessions or Verb.Version:
                Arity(verb, operands);
                return invocation;
            case Verb.Watch:
                // Any number of names; a name given twice is still one region to follow.
                return invocation with { Names = [.. operands.Select(n => RegionNameOf(verb, n)).Distinct(StringComparer.Ordinal)] };
            case Verb.Stat or Verb.Remove:
                Arity(verb, operands, "NAME");
                return invocation with { Name = RegionNameOf(verb, operands[0]) };
            case Verb.Resize:
                Arity(verb, operands, "NAME", "SIZE");
                return invocation with
                {
                    Name = RegionNameOf(verb, operands[0]),
                    Size = SizeOf(verb, operands[1], "SIZE"),
                    ExpectedGeneration = GenerationOf(options.ExpectGeneration),
                };
            case Verb.Create:
                Arity(verb, operands, "NAME", "SIZE");
                var size = SizeOf(verb, operands[1], "SIZE");
                return invocation with
                {
                    Name = RegionNameOf(verb, operands[0]),
                    Size = size,
                    Mode = ModeOf(options.Mode),
                    MaxSize = MaxSizeOf(options.MaxSize, size),
                };
            default:
                throw new UnreachableException($"{verb} has no operands to parse");
        }
    }

    private static void RefuseOption(Verb verb, bool given, string option, params Verb[] allowedOn)
    {
        if (given && !allowedOn.Contains(verb))
        {
            throw Usage(verb, $"{option} does not apply to {NameOf(verb)}");
        }
    }

    private static void Arity(Verb verb, List<string> operands, params string[] expected)
    {
        if (operands.Count < expected.Length)
        {
            throw Usage(verb, $"{NameOf(verb)} needs {string.Join(" and ", expected[operands.Count..])}");
        }

        if (operands.Count > expected.Length)
        {
            throw Usage(verb, $"{NameOf(verb)} takes {(expected.Length == 0 ? "no arguments" : string.Join(" ", expected))}; unexpected '{operands[expected.Length]}'");
        }
    }

    private static string RegionNameOf(Verb verb, string name) =>
        RegionName.Validate(name) is { } problem ? throw Usage(verb, problem) : name;

    private static long SizeOf(Verb verb, string text, string what)
    {
        if (!ByteSize.TryParse(text, out var bytes))
        {
            throw Usage(verb, $"'{text}' is not a size; write bytes with an optional binary suffix K M G T, e.g. 4096, 64M, 8G");
        }

        return bytes switch
        {
            0 => throw Usage(verb, $"{what} must be at least 1 byte"),
            > long.MaxValue => throw Usage(verb, $"'{text}' is larger than any region can be"),
            _ => (long)bytes,
        };
    }

    /// <summary>
    /// The address space every mapper reserves so the region can grow in place; below SIZE it
    /// could never hold the region, which the daemon refuses too.
    /// </summary>
    private static long MaxSizeOf(string? text, long size)
    {
        if (text is null)
        {
            return 0;
        }

        var maxSize = SizeOf(Verb.Create, text, "--max-size");
        return maxSize >= size
            ? maxSize
            : throw Usage(Verb.Create, $"--max-size {RegionText.Size(maxSize)} is below SIZE {RegionText.Size(size)}; give the largest size the region may grow to");
    }

    /// <summary>Generations start at 1, so 0 (the wire's "any generation") is refused: leaving the option out says that.</summary>
    private static ulong GenerationOf(string? text) =>
        text is null ? 0
        : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var generation) && generation > 0 ? generation
        : throw Usage(Verb.Resize, $"--expect-generation '{text}' is not a generation; give the number 'mapctl stat' shows (1 or more), or leave the option out to resize whatever the generation");

    private static uint ModeOf(string? text) =>
        text is null ? 0
        : PermissionBits.TryParse(text, out var mode, out var problem) ? mode
        : throw Usage(Verb.Create, problem);

    private static UsageException Usage(Verb? verb, string problem) =>
        new($"{problem} (usage: {(verb is { } v ? Cli.Usage.Of(v) : Cli.Usage.Summary)})");

    /// <summary>What the options said, before the command is known.</summary>
    private sealed class Options
    {
        public bool Help { get; set; }

        public bool Version { get; set; }

        public bool Json { get; set; }

        public bool Names { get; set; }

        public string? Socket { get; set; }

        public string? Mode { get; set; }

        public string? MaxSize { get; set; }

        public string? ExpectGeneration { get; set; }
    }
}
