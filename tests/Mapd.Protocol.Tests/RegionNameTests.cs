namespace Mapd.Protocol.Tests;

public sealed class RegionNameTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("Z")]
    [InlineData("0")]
    [InlineData("-")]
    [InlineData("_")]
    [InlineData("a.")]
    [InlineData("a..b")]
    [InlineData("frame-buffer_v2.0")]
    [InlineData("-leading-dash")]
    [InlineData("ABCxyz0189")]
    public void Names_of_allowed_characters_not_starting_with_a_dot_are_valid(string name)
    {
        Assert.Null(RegionName.Validate(name));
    }

    [Fact]
    public void A_name_of_exactly_200_characters_is_valid_and_201_is_not()
    {
        Assert.Null(RegionName.Validate(new string('n', 200)));

        var problem = RegionName.Validate(new string('n', 201));

        Assert.NotNull(problem);
        Assert.Contains("201", problem, StringComparison.Ordinal);
        Assert.Contains("200", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData(".", "starts with '.'")]
    [InlineData("..", "starts with '.'")]
    [InlineData(".hidden", "starts with '.'")]
    [InlineData("../etc/passwd", "starts with '.'")]
    [InlineData("a/b", "'/'")]
    [InlineData("a\0b", "a NUL byte")]
    [InlineData("sp ace", "U+0020")]
    [InlineData("tab\there", "U+0009")]
    [InlineData("new\nline", "U+000A")]
    [InlineData("colon:", "':'")]
    [InlineData("star*", "'*'")]
    [InlineData("ünïcode", "'ü'")]
    [InlineData("\uFF10fullwidth", "'\uFF10'")]
    public void Invalid_names_get_a_message_saying_what_is_wrong(string? name, string explanation)
    {
        var problem = RegionName.Validate(name);

        Assert.NotNull(problem);
        Assert.Contains(explanation, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_character_is_allowed_exactly_when_it_is_in_the_contract_set()
    {
        // The contract: [A-Za-z0-9._-]. Checked for every UTF-16 code unit, after a valid first character.
        for (var c = char.MinValue; ; c++)
        {
            var inContract = c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-';

            var valid = RegionName.Validate("x" + c) is null;

            Assert.True(inContract == valid, $"U+{(int)c:X4}: contract says {inContract}, Validate says {valid}");
            if (c == char.MaxValue)
            {
                break;
            }
        }
    }

    [Fact]
    public void A_leading_dot_is_refused_whatever_follows()
    {
        foreach (var name in new[] { ".a", ".0", "._", ".-", "...", ".json" })
        {
            Assert.NotNull(RegionName.Validate(name));
        }
    }

    [Fact]
    public void Messages_about_characters_tell_the_caller_which_characters_to_use()
    {
        var problem = RegionName.Validate("a b");

        Assert.Contains("A-Z a-z 0-9 . _ -", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Messages_quote_long_names_shortened_and_control_characters_replaced()
    {
        var name = new string('x', 60) + "\u0007";

        var problem = RegionName.Validate(name)!;

        Assert.DoesNotContain(name, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("\u0007", problem, StringComparison.Ordinal);
        Assert.Contains(new string('x', 40) + "...", problem, StringComparison.Ordinal);
    }
}
