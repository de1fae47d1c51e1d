using System.Text;

namespace Mapd.Cli.Output;

/// <summary>
/// mapctl's tables: a header row (left out for <c>--no-headers</c>), columns two spaces apart,
/// each column left- or right-aligned, no trailing blanks, every line ending in a newline.
/// </summary>
internal static class TextTable
{
    /// <summary>
    /// Renders <paramref name="header"/> (unless <paramref name="withHeader"/> is false) and
    /// <paramref name="rows"/>; each row has one cell per header column. Columns are as wide with
    /// or without the header, so the rows read the same either way.
    /// </summary>
    public static string Render(IReadOnlyList<string> header, IReadOnlyList<bool> rightAligned, IEnumerable<IReadOnlyList<string>> rows, bool withHeader = true)
    {
        var all = new List<IReadOnlyList<string>> { header };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, header.Count).Select(c => all.Max(row => row[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in withHeader ? all : all.Skip(1))
        {
            var line = new StringBuilder();
            for (var c = 0; c < row.Count; c++)
            {
                if (c > 0)
                {
                    line.Append("  ");
                }

                line.Append(rightAligned[c] ? row[c].PadLeft(widths[c]) : row[c].PadRight(widths[c]));
            }

            text.Append(line.ToString().TrimEnd()).Append('\n');
        }

        return text.ToString();
    }
}
