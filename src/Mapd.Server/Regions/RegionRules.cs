using Mapd.Server.Errors;

namespace Mapd.Server.Regions;

/// <summary>What a request must satisfy before anything is looked up or changed; each refusal says what to do.</summary>
internal static class RegionRules
{
    /// <summary>Mode 0 means this.</summary>
    public const uint DefaultMode = 0b110_000_000;

    /// <summary>A name by the contract's rule.</summary>
    public static void CheckName(string name)
    {
        if (RegionName.Validate(name) is { } problem)
        {
            throw RefusedException.Invalid(problem);
        }
    }

    /// <summary>A List prefix: empty, or the start of a valid name.</summary>
    public static void CheckPrefix(string prefix)
    {
        if (RegionName.ValidatePrefix(prefix) is { } problem)
        {
            throw RefusedException.Invalid(problem);
        }
    }

    /// <summary>A List page token: empty, or a name this daemon handed out as next_page_token.</summary>
    public static void CheckPageToken(string token)
    {
        if (token.Length > 0 && RegionName.Validate(token) is not null)
        {
            throw RefusedException.Invalid("page_token is not one this daemon handed out; pass the next_page_token of the previous reply, or none to start over");
        }
    }

    /// <summary>A size: at least one byte, at most <paramref name="maxRegionSize"/>.</summary>
    public static void CheckSize(ulong size, long maxRegionSize)
    {
        if (size == 0)
        {
            throw RefusedException.Invalid("size is 0; a region needs at least one byte (sizes take suffixes: 4K, 64M, 8G)");
        }

        if (size > (ulong)maxRegionSize)
        {
            throw RefusedException.Invalid(
                $"size {size} bytes ({ByteSize.Format(size)}) is above the largest region allowed, {maxRegionSize} bytes ({ByteSize.Format((ulong)maxRegionSize)}); ask for less or raise Mapd:Limits:MaxRegionSize / Mapd:Storage:Size");
        }
    }

    /// <summary>A permission mask up to 0777; returns the mode to use (0 means <see cref="DefaultMode"/>).</summary>
    public static uint CheckMode(uint mode) =>
        mode > 0b111_111_111
            ? throw RefusedException.Invalid($"mode {Convert.ToString(mode, 8)} is not a permission mask; use octal bits up to 0777, e.g. 0640 (0 means 0600)")
            : mode == 0 ? DefaultMode : mode;

    /// <summary>A max-size hint: 0, or at least the size.</summary>
    public static void CheckMaxSize(ulong maxSize, ulong size)
    {
        if (maxSize != 0 && maxSize < size)
        {
            throw RefusedException.Invalid($"max_size {maxSize} is below size {size}; give the largest size the region may grow to, or 0 for no hint");
        }
    }
}
