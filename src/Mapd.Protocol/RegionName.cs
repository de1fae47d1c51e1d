namespace Mapd.Protocol;

/// <summary>The contract's rule for region names: 1 to 200 of <c>[A-Za-z0-9._-]</c>, not starting with a dot.</summary>
public static class RegionName
{
    /// <summary>The longest allowed name.</summary>
    public const int MaxLength = 200;

    /// <summary>Null when <paramref name="name"/> is valid, else a sentence saying what is wrong and what to do.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "region name is empty; use 1 to 200 characters of A-Z a-z 0-9 . _ -";
        }

        if (name.Length > MaxLength)
        {
            return $"region name is {name.Length} characters long; the limit is {MaxLength}";
        }

        if (name[0] == '.')
        {
            return $"region name '{Printable(name)}' starts with '.'; names may not start with a dot";
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return $"region name '{Printable(name)}' contains {Describe(c)}; use only A-Z a-z 0-9 . _ -";
            }
        }

        return null;
    }

    /// <summary>
    /// Null when <paramref name="prefix"/> can start a valid name (empty included), else a
    /// sentence saying what is wrong: a prefix follows the same rule as a name.
    /// </summary>
    public static string? ValidatePrefix(string? prefix) =>
        string.IsNullOrEmpty(prefix) ? null : Validate(prefix) is { } problem ? $"prefix: {problem}" : null;

    private static string Describe(char c) => c switch
    {
        '\0' => "a NUL byte",
        '/' => "'/'",
        _ when char.IsControl(c) || char.IsWhiteSpace(c) => $"U+{(int)c:X4}",
        _ => $"'{c}'",
    };

    private static string Printable(string name)
    {
        var shown = name.Length > 40 ? name[..40] + "..." : name;
        return string.Concat(shown.Select(c => char.IsControl(c) ? '?' : c));
    }
}
