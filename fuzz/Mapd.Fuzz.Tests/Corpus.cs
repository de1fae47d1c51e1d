namespace Mapd.Fuzz.Tests;

/// <summary>The committed corpus (<c>fuzz/corpus/TARGET</c>) and the seeds of each target.</summary>
public static class Corpus
{
    /// <summary>The committed inputs of <paramref name="target"/>, by file name.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Committed(string target)
    {
        var directory = Path.Join(FuzzDirectory(), "corpus", target);
        return Directory.Exists(directory)
            ? [.. Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllBytes(f)))]
            : [];
    }

    /// <summary>The committed inputs and the seeds of <paramref name="target"/>.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> All(string target) =>
        [.. Committed(target), .. Seeds.For(target).Select(s => ($"seed {s.Key}", s.Value))];

    private static string FuzzDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Join(directory.FullName, "fuzz", "run.sh")))
            {
                return Path.Join(directory.FullName, "fuzz");
            }
        }

        throw new DirectoryNotFoundException($"no fuzz/run.sh above {AppContext.BaseDirectory}");
    }
}
