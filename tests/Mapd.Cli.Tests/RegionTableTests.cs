namespace Mapd.Cli.Tests;

public class RegionTableTests
{
    private static string[] Lines(string table)
    {
        Assert.EndsWith("\n", table, StringComparison.Ordinal);
        return table[..^1].Split('\n');
    }

    [Fact]
    public void Header_names_the_columns_in_order()
    {
        var header = Lines(RegionTable.Render([], Regions.Accounts()))[0];

        Assert.Equal(["NAME", "SIZE", "GENERATION", "MODE", "OWNER", "MAPPERS"], header.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void An_empty_list_prints_only_the_header()
    {
        Assert.Single(Lines(RegionTable.Render([], Regions.Accounts())));
    }

    [Fact]
    public void Rows_show_human_sizes_octal_modes_and_owner_names_in_name_order()
    {
        var table = RegionTable.Render(
            [
                Regions.Make("zeta", size: 4097, generation: 12, ownerUid: 0, gid: 0, mode: 0x180, mappers: 3),
                Regions.Make("alpha", size: 3L << 30, ownerUid: 1000, gid: 1001),
                Regions.Make("mid", size: 1536L << 20, ownerUid: 4242, gid: 4343, mode: 0x1B6),
            ],
            Regions.Accounts());

        var rows = Lines(table)[1..].Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        Assert.Equal(["alpha", "3G", "1", "0640", "alice:staff", "0"], rows[0]);
        Assert.Equal(["mid", "1.5G", "1", "0666", "4242:4343", "0"], rows[1]);
        Assert.Equal(["zeta", "4097", "12", "0600", "root:root", "3"], rows[2]);
    }

    [Theory]
    [InlineData(1L, "1")]
    [InlineData(1023L, "1023")]
    [InlineData(1024L, "1K")]
    [InlineData(4097L, "4097")]
    [InlineData(3L << 19, "1.5M")]
    [InlineData((1L << 30) + 1, "1073741825")]
    [InlineData(5L << 40, "5T")]
    [InlineData(3L << 50, "3P")]
    public void Sizes_are_human_yet_exact(long bytes, string text)
    {
        var row = Lines(RegionTable.Render([Regions.Make(size: bytes)], Regions.Accounts()))[1];

        Assert.Equal(text, row.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    [Fact]
    public void Every_size_shown_parses_back_to_the_same_bytes()
    {
        var random = new Random(20251125);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = random.NextInt64(1, long.MaxValue >> random.Next(0, 62));
            var shown = RegionText.Size(bytes);

            Assert.Equal(bytes, CommandLine.Parse(["resize", "r", shown]).Size);
        }
    }

    [Fact]
    public void A_pending_shrink_shows_where_the_size_goes()
    {
        var table = RegionTable.Render([Regions.Make(size: 128L << 20, pendingSize: 32L << 20)], Regions.Accounts());

        Assert.Contains(" 128M->32M ", Lines(table)[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Columns_line_up_whatever_the_cell_widths()
    {
        var table = RegionTable.Render(
            [
                Regions.Make("a", size: 1, generation: 1, mappers: 1),
                Regions.Make("a-much-longer-region-name", size: 5L << 40, generation: 123456789, mappers: 1000),
            ],
            Regions.Accounts());
        var lines = Lines(table);

        // Left-aligned columns start at the header's offsets; right-aligned ones end at them.
        var header = lines[0];
        foreach (var line in lines[1..])
        {
            Assert.Equal(' ', line[header.IndexOf("MODE", StringComparison.Ordinal) - 1]);
            Assert.NotEqual(' ', line[header.IndexOf("MODE", StringComparison.Ordinal)]);
            Assert.NotEqual(' ', line[header.IndexOf("OWNER", StringComparison.Ordinal)]);
            Assert.NotEqual(' ', line[header.IndexOf("SIZE", StringComparison.Ordinal) + "SIZE".Length - 1]);
            Assert.Equal(' ', line[header.IndexOf("SIZE", StringComparison.Ordinal) + "SIZE".Length]);
            Assert.Equal(' ', line[header.IndexOf("GENERATION", StringComparison.Ordinal) + "GENERATION".Length]);
            Assert.Equal(header.Length, line.Length); // MAPPERS is right-aligned and last
        }

        Assert.All(lines, l => Assert.Equal(l.TrimEnd(), l));
    }
}
