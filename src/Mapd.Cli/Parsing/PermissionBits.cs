using System.Diagnostics.CodeAnalysis;

namespace Mapd.Cli.Parsing;

/// <summary>Region permission bits written in octal, as <c>chmod</c> takes them: <c>0640</c>.</summary>
internal static class PermissionBits
{
    /// <summary>The bits a region's mode may carry: setuid, setgid and sticky mean nothing for a region.</summary>
    public const uint Mask = 0x1FF; // 0777

    /// <summary>
    /// Parses <c>0640</c>, <c>640</c> or <c>00640</c>; on failure <paramref name="problem"/> says
    /// why. Zero is refused: the daemon reads mode 0 as "default, 0600", which is not what
    /// someone who typed <c>0000</c> meant.
    /// </summary>
    public static bool TryParse(string text, out uint mode, [NotNullWhen(false)] out string? problem)
    {
        mode = 0;
        problem = null;
        if (text.Length == 0 || !text.All(c => c is >= '0' and <= '7'))
        {
            problem = $"'{text}' is not an octal mode; write permission bits such as 0640 or 0600";
        }
        else if (text.TrimStart('0') is { Length: > 3 })
        {
            problem = $"mode '{text}' sets bits beyond 0777; a region has only read, write and execute bits";
        }
        else
        {
            foreach (var digit in text)
            {
                mode = (mode << 3) | (uint)(digit - '0');
            }

            if (mode == 0)
            {
                problem = "mode 0000 would let nobody open the region (and the daemon reads 0 as 0600); leave --mode out for 0600";
            }
        }

        return problem is null;
    }
}
