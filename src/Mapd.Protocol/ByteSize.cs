using System.Globalization;

namespace Mapd.Protocol;

/// <summary>Byte counts written with binary suffixes: <c>64M</c> is 64 MiB, <c>1.5G</c> is 1.5 GiB.</summary>
public static class ByteSize
{
    private static readonly string[] Units = ["", "K", "M", "G", "T", "P"];

    /// <summary>Parses <c>123</c>, <c>4K</c>, <c>64M</c>, <c>8G</c>, <c>1T</c> (also <c>KiB</c>, <c>MB</c>...: all binary).</summary>
    public static bool TryParse(string? text, out ulong bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        var end = s.Length;
        while (end > 0 && char.IsLetter(s[end - 1]))
        {
            end--;
        }

        var suffix = s[end..].ToUpperInvariant();
        var shift = suffix switch
        {
            "" or "B" => 0,
            "K" or "KB" or "KIB" => 10,
            "M" or "MB" or "MIB" => 20,
            "G" or "GB" or "GIB" => 30,
            "T" or "TB" or "TIB" => 40,
            "P" or "PB" or "PIB" => 50,
            _ => -1,
        };
        if (shift < 0)
        {
            return false;
        }

        var number = s[..end].Trim();
        if (ulong.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var whole))
        {
            if (shift > 0 && whole > ulong.MaxValue >> shift)
            {
                return false;
            }

            bytes = whole << shift;
            return true;
        }

        if (shift > 0 && decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var fraction))
        {
            if (fraction > ulong.MaxValue >> shift)
            {
                return false;
            }

            var value = fraction * (1UL << shift);
            if (value > ulong.MaxValue)
            {
                return false;
            }

            bytes = (ulong)decimal.Ceiling(value);
            return true;
        }

        return false;
    }

    /// <summary>Parses or throws a <see cref="FormatException"/> that shows the accepted forms.</summary>
    public static ulong Parse(string text, string what) =>
        TryParse(text, out var bytes)
            ? bytes
            : throw new FormatException($"{what}: '{text}' is not a size; write bytes with an optional binary suffix, e.g. 4096, 64M, 8G, 1T");

    /// <summary>Formats approximately, with the largest unit and one decimal at most: <c>64M</c>, <c>1.5G</c>, <c>4K</c> for 4097.</summary>
    public static string Format(ulong bytes)
    {
        var unit = 0;
        var value = (double)bytes;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        if (unit == 0)
        {
            return bytes.ToString(CultureInfo.InvariantCulture);
        }

        var rounded = Math.Round(value, 1);
        return rounded.ToString(rounded == Math.Floor(rounded) ? "0" : "0.0", CultureInfo.InvariantCulture) + Units[unit];
    }
}
