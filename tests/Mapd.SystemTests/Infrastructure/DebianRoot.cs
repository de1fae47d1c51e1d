using System.Text.RegularExpressions;

namespace Mapd.SystemTests.Infrastructure;

/// <summary>
/// A Debian 12 root file system made once with <c>debootstrap --variant=minbase</c> from the
/// mirror this machine's apt is configured with, and kept in <see cref="SystemTestCache"/>.
/// Guests boot it read-only under a throw-away overlay, so it stays pristine across runs.
/// </summary>
public static partial class DebianRoot
{
    /// <summary>The release the guest runs: Debian 12, what operators run mapd on.</summary>
    public const string Suite = "bookworm";

    /// <summary>What the guest needs beyond minbase: systemd as PID 1, D-Bus for systemctl, util-linux for mount and setpriv.</summary>
    public static readonly IReadOnlyList<string> Packages = ["systemd", "systemd-sysv", "dbus", "util-linux"];

    /// <summary>Returns the cached root, making it first if needed (a few minutes, once).</summary>
    public static async Task<string> EnsureAsync()
    {
        var root = Path.Join(SystemTestCache.Root, $"debian-{Suite}-minbase");
        var stamp = root + ".complete";
        var recipe = $"{Suite} minbase {string.Join(',', Packages)}";
        if (IsComplete(stamp, recipe))
        {
            return root;
        }

        using (await SystemTestCache.LockAsync("debian-root", TimeSpan.FromMinutes(20)))
        {
            if (IsComplete(stamp, recipe))
            {
                return root;
            }

            // Built aside and renamed into place, so a run killed half-way leaves nothing that looks done.
            var partial = root + ".partial";
            foreach (var stale in new[] { partial, root })
            {
                if (Directory.Exists(stale))
                {
                    (await Commands.RunAsync("rm", ["-rf", "--one-file-system", stale], TimeSpan.FromMinutes(5))).EnsureSuccess();
                }
            }

            var debootstrap = TestTools.Require("debootstrap");
            (await Commands.RunAsync(
                debootstrap,
                ["--variant=minbase", $"--include={string.Join(',', Packages)}", Suite, partial, Mirror()],
                TimeSpan.FromMinutes(20))).EnsureSuccess();
            Directory.Move(partial, root);
            await File.WriteAllTextAsync(stamp, recipe);
            return root;
        }
    }

    /// <summary>
    /// The Debian mirror from this machine's apt sources (<c>MAPD_DEBIAN_MIRROR</c> overrides):
    /// the first archive that is not the security one.
    /// </summary>
    public static string Mirror()
    {
        if (Environment.GetEnvironmentVariable("MAPD_DEBIAN_MIRROR") is { Length: > 0 } configured)
        {
            return configured;
        }

        var files = new List<string> { "/etc/apt/sources.list" };
        if (Directory.Exists("/etc/apt/sources.list.d"))
        {
            files.AddRange(Directory.GetFiles("/etc/apt/sources.list.d").Where(f => f.EndsWith(".list", StringComparison.Ordinal) || f.EndsWith(".sources", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        }

        var uris = files.Where(File.Exists).SelectMany(f => f.EndsWith(".sources", StringComparison.Ordinal) ? Deb822Uris(File.ReadAllText(f)) : OneLineUris(File.ReadAllLines(f)));
        return uris.FirstOrDefault(u => !u.Contains("security", StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException("no Debian archive in /etc/apt/sources.list{,.d}; set MAPD_DEBIAN_MIRROR to one");
    }

    private static bool IsComplete(string stamp, string recipe) => File.Exists(stamp) && File.ReadAllText(stamp) == recipe;

    private static IEnumerable<string> OneLineUris(IEnumerable<string> lines) =>
        lines.Select(l => OneLine().Match(l)).Where(m => m.Success).Select(m => m.Groups["uri"].Value);

    private static IEnumerable<string> Deb822Uris(string text) =>
        text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(stanza => Deb822Field(stanza, "Types")?.Split(' ').Contains("deb") == true && Deb822Field(stanza, "Enabled") is null or "yes")
            .SelectMany(stanza => (Deb822Field(stanza, "URIs") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static string? Deb822Field(string stanza, string name) =>
        stanza.Split('\n').Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)).Select(l => l[(name.Length + 1)..].Trim()).FirstOrDefault();

    [GeneratedRegex(@"^\s*deb\s+(\[[^\]]*\]\s+)?(?<uri>\S+)\s+\S+")]
    private static partial Regex OneLine();
}
