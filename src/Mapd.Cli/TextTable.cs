using System.Text;

namespace Mapd.Cli;

/// <summary>
/// mapctl's tables: a header row, columns two spaces apart, each column left- or right-aligned,
/// no trailing blanks, every line ending in a newline.
/// </summary>
internal static class TextTable
{
    /// <summary>Renders <paramref name="header"/> and <paramref name="rows"/>; each row has one cell per header column.</summary>
    public static string Render(IReadOnlyList<string> header, IReadOnlyList<bool> rightAligned, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { header };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, header.Count).Select(c => all.Max(row => row[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in all)
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
