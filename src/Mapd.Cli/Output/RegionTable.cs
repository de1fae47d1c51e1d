using System.Globalization;

namespace Mapd.Cli.Output;

/// <summary>
/// <c>mapctl ls</c>'s table: <c>NAME SIZE GENERATION MODE OWNER MAPPERS</c>, one region per row
/// in name order, columns two spaces apart, numbers right-aligned, no trailing blanks.
/// </summary>
internal static class RegionTable
{
    private static readonly string[] Header = ["NAME", "SIZE", "GENERATION", "MODE", "OWNER", "MAPPERS"];

    // Sizes, generations and mapper counts compare at a glance when their digits line up.
    private static readonly bool[] RightAligned = [false, true, true, false, false, true];

    /// <summary>The table, header first unless <paramref name="withHeader"/> is false, each line ending in a newline.</summary>
    public static string Render(IEnumerable<RegionInfo> regions, AccountNames accounts, bool withHeader = true) =>
        TextTable.Render(Header, RightAligned, regions
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .Select(r => new[]
            {
                r.Name,
                RegionText.SizeAndPending(r),
                r.Generation.ToString(CultureInfo.InvariantCulture),
                PermissionMode.Format(r.Mode),
                $"{accounts.User(r.OwnerUid)}:{accounts.Group(r.Gid)}",
                r.Mappers.ToString(CultureInfo.InvariantCulture),
            }),
            withHeader);
}
