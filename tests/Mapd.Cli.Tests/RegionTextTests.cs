namespace Mapd.Cli.Tests;

public class RegionTextTests
{
    [Theory]
    [InlineData(0L, "0.0s")]
    [InlineData(99L, "0.0s")]
    [InlineData(100L, "0.1s")]
    [InlineData(12_345L, "12.3s")]
    [InlineData(59_999L, "59.9s")]
    [InlineData(60_000L, "1m00s")]
    [InlineData(245_900L, "4m05s")]
    [InlineData(3_599_999L, "59m59s")]
    [InlineData(3_600_000L, "1h00m")]
    [InlineData(7_380_000L, "2h03m")]
    [InlineData(86_399_999L, "23h59m")]
    [InlineData(86_400_000L, "1d00h")]
    [InlineData(273_600_000L, "3d04h")]
    [InlineData(-5_000L, "0.0s")]
    public void Ages_are_short_and_never_rounded_up(long milliseconds, string text)
    {
        Assert.Equal(text, RegionText.Age(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Fact]
    public void Time_and_age_say_when_and_how_long_ago()
    {
        Assert.Equal("2025-11-25T22:16:03Z (5m12s ago)", RegionText.TimeAndAge(Regions.Created, Regions.Now));
        Assert.Equal("unknown", RegionText.TimeAndAge(default, Regions.Now));
    }

    [Fact]
    public void Zero_bytes_print_as_0()
    {
        Assert.Equal("0", RegionText.Size(0));
    }
}
