using Mapd.Server.Telemetry;

namespace Mapd.Server.Hosting;

/// <summary>
/// A parsed <c>mapd</c> command line. Besides <c>--help</c>, <c>--version</c> and the
/// <c>healthcheck</c> verb it takes only settings, as <c>--Section:Key=value</c>,
/// <c>--Section:Key value</c> or <c>Section:Key=value</c>. Anything else is refused rather than
/// handed to the configuration, which would take a mistyped <c>--hlep</c> as a key and the
/// next argument as its value, and start a daemon nobody asked for.
/// </summary>
/// <param name="Verb">What to do.</param>
/// <param name="Settings">The setting arguments, for the configuration.</param>
/// <param name="Error">Why the command line is <see cref="DaemonVerb.Invalid"/>; null otherwise.</param>
public sealed record DaemonCommandLine(DaemonVerb Verb, IReadOnlyList<string> Settings, string? Error = null)
{
    private static readonly string[] HelpWords = ["--help", "-h", "-?", "help"];
    private static readonly string[] VersionWords = ["--version", "version"];

    /// <summary>Reads <paramref name="args"/>; never throws.</summary>
    public static DaemonCommandLine Parse(IReadOnlyList<string> args)
    {
        var verb = DaemonVerb.Run;
        var first = 0;
        if (args.Count > 0 && args[0] == HealthProbe.Verb)
        {
            verb = DaemonVerb.HealthCheck;
            first = 1;
        }

        var settings = new List<string>();
        var wantsVersion = false;
        for (var i = first; i < args.Count; i++)
        {
            var arg = args[i];
            if (HelpWords.Contains(arg))
            {
                // Help wins over whatever else is on the line, as in most tools.
                return new DaemonCommandLine(DaemonVerb.Help, []);
            }

            if (VersionWords.Contains(arg))
            {
                wantsVersion = true;
                continue;
            }

            var body = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg;
            var equals = body.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? body : body[..equals];
            if (!IsSettingKey(key) || (equals < 0 && body.Length == arg.Length))
            {
                return Invalid($"unknown argument '{arg}'; settings are given as --Mapd:Key=value (mapd --help lists them)");
            }

            settings.Add(arg);
            if (equals < 0)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    return Invalid($"'{arg}' needs a value, as in {arg}=VALUE");
                }

                settings.Add(args[++i]);
            }
        }

        return wantsVersion ? new DaemonCommandLine(DaemonVerb.Version, []) : new DaemonCommandLine(verb, settings);
    }

    private static DaemonCommandLine Invalid(string error) => new(DaemonVerb.Invalid, [], error);

    // Every mapd setting, and every framework one worth passing (Logging:LogLevel:...), is a
    // path with at least one section: a bare word is a typo, not a key.
    private static bool IsSettingKey(string key) =>
        key.Contains(':', StringComparison.Ordinal)
        && !key.StartsWith(':')
        && !key.EndsWith(':')
        && key.All(c => char.IsAsciiLetterOrDigit(c) || c is ':' or '_' or '.' or '-');
}
