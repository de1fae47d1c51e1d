namespace Mapd.Protocol.Tests;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("0", 0UL)]
    [InlineData("1", 1UL)]
    [InlineData("4096", 4096UL)]
    [InlineData("4K", 4096UL)]
    [InlineData("4k", 4096UL)]
    [InlineData("4KB", 4096UL)]
    [InlineData("4KiB", 4096UL)]
    [InlineData("4kib", 4096UL)]
    [InlineData("64M", 64UL << 20)]
    [InlineData("64MB", 64UL << 20)]
    [InlineData("8G", 8UL << 30)]
    [InlineData("8GiB", 8UL << 30)]
    [InlineData("1T", 1UL << 40)]
    [InlineData("2P", 2UL << 50)]
    [InlineData("512B", 512UL)]
    [InlineData(" 64M ", 64UL << 20)]
    [InlineData("1.5G", 3UL << 29)]
    [InlineData("0.5K", 512UL)]
    [InlineData("16383P", 16383UL << 50)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    public void TryParse_reads_bytes_with_binary_suffixes(string text, ulong expected)
    {
        Assert.True(ByteSize.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void TryParse_rounds_a_fraction_of_a_byte_up()
    {
        Assert.True(ByteSize.TryParse("1.0001K", out var bytes));

        // 1.0001 KiB is 1024.1024 bytes: never hand out less than was asked for.
        Assert.Equal(1025UL, bytes);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("12X")]
    [InlineData("12KX")]
    [InlineData("K")]
    [InlineData("-1")]
    [InlineData("-4K")]
    [InlineData("+4K")]
    [InlineData("1.5")]
    [InlineData("1,000")]
    [InlineData("1e3")]
    [InlineData("0x10")]
    [InlineData("4 K B")]
    [InlineData("17179869184G")]
    [InlineData("16384P")]
    [InlineData("18446744073709551616")]
    [InlineData("99999999999999999999")]
    [InlineData("20000000000.5G")]
    public void TryParse_rejects_what_is_not_a_size_or_does_not_fit_64_bits(string? text)
    {
        Assert.False(ByteSize.TryParse(text, out var bytes));
        Assert.Equal(0UL, bytes);
    }

    [Theory]
    [InlineData("100000000000000.5P")]
    [InlineData("99999999999999999999.5G")]
    public void TryParse_rejects_a_fraction_too_large_for_any_representation_without_throwing(string text)
    {
        var parsed = true;
        var error = Record.Exception(() => parsed = ByteSize.TryParse(text, out _));

        Assert.Null(error);
        Assert.False(parsed);
    }

    [Fact]
    public void Parse_throws_a_FormatException_naming_the_setting_and_showing_the_accepted_forms()
    {
        var error = Assert.Throws<FormatException>(() => ByteSize.Parse("12X", "Mapd:Storage:Size"));

        Assert.Contains("Mapd:Storage:Size", error.Message, StringComparison.Ordinal);
        Assert.Contains("'12X'", error.Message, StringComparison.Ordinal);
        Assert.Contains("64M", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0UL, "0")]
    [InlineData(1UL, "1")]
    [InlineData(1023UL, "1023")]
    [InlineData(1024UL, "1K")]
    [InlineData(1536UL, "1.5K")]
    [InlineData(64UL << 20, "64M")]
    [InlineData(3UL << 29, "1.5G")]
    [InlineData(8UL << 30, "8G")]
    [InlineData(1UL << 40, "1T")]
    [InlineData(1UL << 50, "1P")]
    [InlineData(1UL << 60, "1024P")]
    public void Format_uses_the_largest_readable_unit(ulong bytes, string expected)
    {
        Assert.Equal(expected, ByteSize.Format(bytes));
    }

    [Fact]
    public void Format_then_Parse_gives_back_every_whole_or_half_multiple_of_each_unit()
    {
        for (var shift = 10; shift <= 50; shift += 10)
        {
            for (ulong halves = 2; halves < 2048; halves++)
            {
                var bytes = (halves << shift) / 2;

                var text = ByteSize.Format(bytes);

                Assert.True(ByteSize.TryParse(text, out var back), $"{bytes} formatted as '{text}', which does not parse");
                Assert.Equal(bytes, back);
            }
        }
    }

    [Fact]
    public void Format_then_Parse_gives_back_every_count_below_one_KiB()
    {
        for (ulong bytes = 0; bytes < 1024; bytes++)
        {
            Assert.True(ByteSize.TryParse(ByteSize.Format(bytes), out var back));
            Assert.Equal(bytes, back);
        }
    }

    [Fact]
    public void Format_then_Parse_stays_within_rounding_of_any_size()
    {
        // Format rounds to one decimal of its unit (4097 shows as 4K), so what comes back is
        // within 5% of the original: close enough to read, not to type back exactly.
        var random = new Random(20261125);
        for (var i = 0; i < 10_000; i++)
        {
            var bytes = Math.Max(1UL, (ulong)random.NextInt64(1, long.MaxValue) >> random.Next(0, 62));
            var text = ByteSize.Format(bytes);

            Assert.True(ByteSize.TryParse(text, out var back), $"{bytes} formatted as '{text}', which does not parse");
            var error = Math.Abs((double)back - bytes) / bytes;
            Assert.True(error <= 0.05, $"{bytes} -> '{text}' -> {back}");
        }
    }

    [Theory]
    [InlineData("4K")]
    [InlineData("64M")]
    [InlineData("1.5G")]
    [InlineData("8G")]
    [InlineData("1T")]
    [InlineData("3P")]
    public void Parse_then_Format_gives_back_the_canonical_text(string text)
    {
        Assert.Equal(text, ByteSize.Format(ByteSize.Parse(text, "size")));
    }
}
