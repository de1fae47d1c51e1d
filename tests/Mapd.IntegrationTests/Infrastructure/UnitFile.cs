namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>A systemd unit file read as sections of key/value lines (repeated keys kept in order).</summary>
public sealed class UnitFile
{
    private readonly List<(string Section, string Key, string Value)> _entries = [];

    private UnitFile()
    {
    }

    /// <summary>Reads <paramref name="path"/>.</summary>
    public static UnitFile Read(string path)
    {
        var unit = new UnitFile();
        var section = string.Empty;
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                section = line.Trim('[', ']');
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            unit._entries.Add((section, line[..equals].Trim(), line[(equals + 1)..].Trim()));
        }

        return unit;
    }

    /// <summary>Every value of <paramref name="key"/> in <paramref name="section"/>.</summary>
    public IReadOnlyList<string> All(string section, string key) =>
        [.. _entries.Where(e => e.Section == section && e.Key == key).Select(e => e.Value)];

    /// <summary>The last value of <paramref name="key"/>, as systemd applies it; null when absent.</summary>
    public string? Get(string section, string key)
    {
        var values = All(section, key);
        return values.Count == 0 ? null : values[^1];
    }

    /// <summary>The <c>Environment=</c> assignments of [Service].</summary>
    public IReadOnlyDictionary<string, string> Environment() =>
        All("Service", "Environment").Select(e => e.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
}
