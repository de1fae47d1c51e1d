using System.Collections.Concurrent;

namespace Mapd.Testing;

/// <summary>
/// World-readable copies of build outputs. The checkout may sit under a directory other users
/// cannot enter (/root in CI), so a process switched to another uid runs from a copy in /tmp.
/// </summary>
public static class PublicCopy
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Copies = new();

    /// <summary>The path of <paramref name="dll"/> inside a world-readable copy of its directory.</summary>
    public static string Of(string dll) => Copies.GetOrAdd(dll, d => new Lazy<string>(() => Copy(d))).Value;

    private static string Copy(string dll)
    {
        var source = Path.GetDirectoryName(dll)!;
        var target = Path.Join("/tmp", $"mapd-it-{Path.GetFileNameWithoutExtension(dll)}-{Environment.ProcessId}");
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
        {
            var copy = Path.Join(target, Path.GetFileName(file));
            File.Copy(file, copy, overwrite: true);
            File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        File.SetUnixFileMode(target, (UnixFileMode)0b111_101_101);
        return Path.Join(target, Path.GetFileName(dll));
    }
}
