namespace Mapd.Cli.Tests;

public class CommandLineTests
{
    private static Invocation Parse(params string[] args) => CommandLine.Parse(args);

    private static string UsageError(params string[] args) => Assert.Throws<UsageException>(() => CommandLine.Parse(args)).Message;

    [Fact]
    public void Ls_parses_with_each_output_format()
    {
        Assert.Equal(new Invocation(Verb.List), Parse("ls"));
        Assert.Equal(new Invocation(Verb.List, Format: OutputFormat.Json), Parse("ls", "--json"));
        Assert.Equal(new Invocation(Verb.List, Format: OutputFormat.Names), Parse("ls", "--names"));
    }

    [Fact]
    public void Create_parses_name_size_and_octal_mode()
    {
        var invocation = Parse("create", "orders", "64M", "--mode", "0640");

        Assert.Equal(Verb.Create, invocation.Verb);
        Assert.Equal("orders", invocation.Name);
        Assert.Equal(64L * 1024 * 1024, invocation.Size);
        Assert.Equal(0x1A0u, invocation.Mode); // 0640 = 416
        Assert.Null(invocation.SocketDirectory);
    }

    [Fact]
    public void Create_without_mode_leaves_the_default_to_the_daemon()
    {
        Assert.Equal(0u, Parse("create", "orders", "4096").Mode);
    }

    [Fact]
    public void Mode_accepts_the_equals_form_and_may_come_before_the_operands()
    {
        Assert.Equal(0x1B0u, Parse("create", "--mode=660", "orders", "1G").Mode); // 0660
        Assert.Equal(1L << 30, Parse("create", "--mode=660", "orders", "1G").Size);
    }

    [Fact]
    public void Stat_rm_and_resize_take_their_operands()
    {
        Assert.Equal(new Invocation(Verb.Stat, Name: "a.b-c_d"), Parse("stat", "a.b-c_d"));
        Assert.Equal(new Invocation(Verb.Stat, Name: "x", Format: OutputFormat.Json), Parse("stat", "x", "--json"));
        Assert.Equal(new Invocation(Verb.Remove, Name: "x"), Parse("rm", "x"));
        Assert.Equal(new Invocation(Verb.Resize, Name: "x", Size: 3L << 40), Parse("resize", "x", "3T"));
    }

    [Theory]
    [InlineData("4096", 4096L)]
    [InlineData("1K", 1024L)]
    [InlineData("64M", 67108864L)]
    [InlineData("8G", 8589934592L)]
    [InlineData("1T", 1099511627776L)]
    [InlineData("1.5G", 1610612736L)]
    [InlineData("2m", 2097152L)]
    public void Sizes_use_binary_suffixes(string text, long bytes)
    {
        Assert.Equal(bytes, Parse("resize", "r", text).Size);
    }

    [Theory]
    [InlineData("12X")]
    [InlineData("M")]
    [InlineData("1.5")]
    [InlineData("ten")]
    [InlineData("-")]
    [InlineData("")]
    public void Bad_sizes_are_usage_errors(string text)
    {
        var message = UsageError("create", "orders", text);

        Assert.Contains($"'{text}' is not a size", message, StringComparison.Ordinal);
        Assert.EndsWith("(usage: mapctl [--socket PATH] create NAME SIZE [--mode MODE] [--max-size SIZE])", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zero_and_oversized_sizes_are_usage_errors()
    {
        Assert.Contains("at least 1 byte", UsageError("create", "r", "0"), StringComparison.Ordinal);
        Assert.Contains("at least 1 byte", UsageError("resize", "r", "0M"), StringComparison.Ordinal);
        Assert.Contains("larger than any region", UsageError("create", "r", "9000000T"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/run/mapd", "/run/mapd")]
    [InlineData("/run/mapd/", "/run/mapd")]
    [InlineData("/run/mapd/mapd.sock", "/run/mapd")]
    [InlineData("/run/mapd/mapd-fd.sock", "/run/mapd")]
    [InlineData("/run/mapd/../other", "/run/other")]
    [InlineData("/srv/sockets/mapd.sockets", "/srv/sockets/mapd.sockets")]
    public void Socket_takes_the_directory_or_a_socket_in_it(string path, string directory)
    {
        Assert.Equal(directory, Parse("--socket", path, "ls").SocketDirectory);
        Assert.Equal(directory, Parse($"--socket={path}", "ls").SocketDirectory);
    }

    [Fact]
    public void Socket_may_follow_the_command()
    {
        Assert.Equal("/tmp/d", Parse("stat", "x", "--socket", "/tmp/d").SocketDirectory);
    }

    [Fact]
    public void A_relative_socket_path_is_made_absolute()
    {
        var directory = Parse("--socket", "sockets/mapd.sock", "ls").SocketDirectory;

        Assert.Equal(Path.Join(Directory.GetCurrentDirectory(), "sockets"), directory);
    }

    [Fact]
    public void Socket_needs_a_non_empty_value_given_once()
    {
        Assert.Contains("--socket needs a value", UsageError("ls", "--socket"), StringComparison.Ordinal);
        Assert.Contains("--socket needs a path", UsageError("--socket=", "ls"), StringComparison.Ordinal);
        Assert.Contains("--socket given twice", UsageError("--socket", "/a", "--socket", "/b", "ls"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0600", 0x180u)]
    [InlineData("600", 0x180u)]
    [InlineData("0777", 0x1FFu)]
    [InlineData("0004", 0x4u)]
    [InlineData("1", 0x1u)]
    [InlineData("00640", 0x1A0u)]
    public void Modes_are_octal(string text, uint mode)
    {
        Assert.Equal(mode, Parse("create", "r", "1M", "--mode", text).Mode);
    }

    [Theory]
    [InlineData("0800", "not an octal mode")]
    [InlineData("rw-r-----", "not an octal mode")]
    [InlineData("0x1A0", "not an octal mode")]
    [InlineData("06400", "beyond 0777")]
    [InlineData("", "not an octal mode")]
    [InlineData("1777", "beyond 0777")]
    [InlineData("4755", "beyond 0777")]
    [InlineData("0000", "nobody")]
    [InlineData("0", "nobody")]
    public void Bad_modes_are_usage_errors(string text, string why)
    {
        var message = UsageError("create", "r", "1M", $"--mode={text}");

        Assert.Contains(why, message, StringComparison.Ordinal);
        Assert.Contains("(usage: mapctl [--socket PATH] create", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mode_only_applies_to_create()
    {
        Assert.Contains("--mode does not apply to resize", UsageError("resize", "r", "1M", "--mode", "0600"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("create", "create needs NAME and SIZE", "create NAME SIZE")]
    [InlineData("create orders", "create needs SIZE", "create NAME SIZE")]
    [InlineData("resize orders", "resize needs SIZE", "resize NAME SIZE")]
    [InlineData("resize", "resize needs NAME and SIZE", "resize NAME SIZE")]
    [InlineData("stat", "stat needs NAME", "stat NAME")]
    [InlineData("rm", "rm needs NAME", "rm NAME")]
    public void Missing_operands_are_usage_errors_that_show_the_command(string line, string problem, string synopsis)
    {
        var message = UsageError(line.Split(' '));

        Assert.StartsWith(problem + " (usage: ", message, StringComparison.Ordinal);
        Assert.Contains(synopsis, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ls extra", "ls takes no arguments; unexpected 'extra'")]
    [InlineData("rm a b", "rm takes NAME; unexpected 'b'")]
    [InlineData("create a 1M 0640", "create takes NAME SIZE; unexpected '0640'")]
    [InlineData("version now", "version takes no arguments; unexpected 'now'")]
    public void Extra_operands_are_usage_errors(string line, string problem)
    {
        Assert.StartsWith(problem, UsageError(line.Split(' ')), StringComparison.Ordinal);
    }

    [Fact]
    public void No_command_and_unknown_commands_show_the_summary()
    {
        Assert.Equal($"no command given (usage: {Usage.Summary})", UsageError());
        Assert.Equal($"unknown command 'list' (usage: {Usage.Summary})", UsageError("list"));
    }

    [Theory]
    [InlineData("ls --verbose", "unknown option '--verbose'")]
    [InlineData("ls -l", "unknown option '-l'")]
    [InlineData("ls --json=yes", "--json takes no value")]
    [InlineData("create a 1M --json", "--json does not apply to create")]
    [InlineData("rm a --names", "--names does not apply to rm")]
    [InlineData("stat a --names", "--names does not apply to stat")]
    [InlineData("ls --json --names", "--json and --names exclude each other")]
    [InlineData("create a 1M --mode 0600 --mode 0640", "--mode given twice")]
    public void Bad_options_are_usage_errors(string line, string problem)
    {
        Assert.StartsWith(problem, UsageError(line.Split(' ')), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".hidden", "starts with '.'")]
    [InlineData("a/b", "contains '/'")]
    [InlineData("a b", "contains U+0020")]
    [InlineData("ümlaut", "contains 'ü'")]
    public void Bad_region_names_are_refused_before_connecting(string name, string problem)
    {
        Assert.Contains(problem, UsageError("stat", name), StringComparison.Ordinal);
        Assert.Contains(problem, UsageError("create", name, "1M"), StringComparison.Ordinal);
    }

    [Fact]
    public void Names_longer_than_200_characters_are_refused()
    {
        Assert.Equal("x", Parse("rm", new string('x', 200)).Name[..1]);
        Assert.Contains("the limit is 200", UsageError("rm", new string('x', 201)), StringComparison.Ordinal);
    }

    [Fact]
    public void Double_dash_lets_a_name_start_with_a_dash()
    {
        Assert.Equal("-weird", Parse("rm", "--", "-weird").Name);
        Assert.Equal("-weird", Parse("--socket", "/s", "create", "--mode", "0600", "--", "-weird", "1M").Name);
        Assert.StartsWith("unknown option '-weird'", UsageError("rm", "-weird"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    [InlineData("create --help")]
    [InlineData("rm -h")]
    [InlineData("--socket /s ls --json --help")]
    public void Help_wins_over_the_rest_of_the_line(string line)
    {
        Assert.Equal(Verb.Help, Parse(line.Split(' ')).Verb);
    }

    [Theory]
    [InlineData("version")]
    [InlineData("--version")]
    [InlineData("--socket /s version")]
    public void Version_forms(string line)
    {
        Assert.Equal(Verb.Version, Parse(line.Split(' ')).Verb);
    }

    [Fact]
    public void Usage_errors_are_single_lines()
    {
        string[][] lines = [[], ["ls", "x"], ["create"], ["create", "a", "12X"], ["rm", ".a"], ["--bogus"]];
        foreach (var line in lines)
        {
            Assert.DoesNotContain('\n', UsageError(line));
        }
    }

    [Fact]
    public void Resize_takes_an_expected_generation()
    {
        Assert.Equal(new Invocation(Verb.Resize, Name: "x", Size: 128L << 20, ExpectedGeneration: 3), Parse("resize", "x", "128M", "--expect-generation", "3"));
        Assert.Equal(18446744073709551615UL, Parse("resize", "--expect-generation=18446744073709551615", "x", "1M").ExpectedGeneration);
        Assert.Equal(0UL, Parse("resize", "x", "1M").ExpectedGeneration);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("+3")]
    [InlineData("3.0")]
    [InlineData("three")]
    [InlineData("18446744073709551616")]
    [InlineData("")]
    public void Expected_generations_are_positive_integers(string text)
    {
        var message = UsageError("resize", "x", "1M", $"--expect-generation={text}");

        Assert.StartsWith($"--expect-generation '{text}' is not a generation;", message, StringComparison.Ordinal);
        Assert.EndsWith("(usage: mapctl [--socket PATH] resize NAME SIZE [--expect-generation N])", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_takes_a_max_size_no_smaller_than_the_size()
    {
        var invocation = Parse("create", "orders", "64M", "--max-size", "1G");

        Assert.Equal(new Invocation(Verb.Create, Name: "orders", Size: 64L << 20, MaxSize: 1L << 30), invocation);
        Assert.Equal(64L << 20, Parse("create", "orders", "64M", "--max-size=64M").MaxSize);
        Assert.Equal(0L, Parse("create", "orders", "64M").MaxSize);
        Assert.StartsWith("--max-size 32M is below SIZE 64M;", UsageError("create", "orders", "64M", "--max-size", "32M"), StringComparison.Ordinal);
        Assert.StartsWith("--max-size must be at least 1 byte", UsageError("create", "orders", "64M", "--max-size", "0"), StringComparison.Ordinal);
        Assert.StartsWith("'lots' is not a size", UsageError("create", "orders", "64M", "--max-size", "lots"), StringComparison.Ordinal);
    }

    [Fact]
    public void Sessions_parses_with_or_without_json()
    {
        Assert.Equal(new Invocation(Verb.Sessions), Parse("sessions"));
        Assert.Equal(new Invocation(Verb.Sessions, SocketDirectory: "/s", Format: OutputFormat.Json), Parse("--socket", "/s", "sessions", "--json"));
    }

    [Fact]
    public void Watch_takes_any_number_of_names_each_once()
    {
        Assert.Equal(new Invocation(Verb.Watch), Parse("watch"));
        Assert.Empty(Parse("watch").Names);
        Assert.Equal(["b", "a"], Parse("watch", "b", "a", "b").Names);
        Assert.Equal(new Invocation(Verb.Watch, Format: OutputFormat.Json, Names: ["orders"]), Parse("watch", "--json", "orders"));
        Assert.Equal(["-dash"], Parse("watch", "--", "-dash").Names);
    }

    [Fact]
    public void Invocations_with_the_same_names_are_equal()
    {
        var first = Parse("watch", "a", "b");
        var second = new Invocation(Verb.Watch, Names: ["a", "b"]);

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEqual(first, new Invocation(Verb.Watch, Names: ["b", "a"]));
        Assert.NotEqual(first, new Invocation(Verb.Watch));
        Assert.NotEqual(new Invocation(Verb.Resize, ExpectedGeneration: 1), new Invocation(Verb.Resize, ExpectedGeneration: 2));
        Assert.NotEqual(new Invocation(Verb.Create, MaxSize: 1), new Invocation(Verb.Create, MaxSize: 2));
    }

    [Fact]
    public void Watch_refuses_a_bad_name_before_connecting()
    {
        var message = UsageError("watch", "good", ".bad");

        Assert.Contains("starts with '.'", message, StringComparison.Ordinal);
        Assert.EndsWith("(usage: mapctl [--socket PATH] watch [NAME...] [--json])", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sessions extra", "sessions takes no arguments; unexpected 'extra'")]
    [InlineData("sessions --names", "--names does not apply to sessions")]
    [InlineData("watch --names", "--names does not apply to watch")]
    [InlineData("watch --mode 0600", "--mode does not apply to watch")]
    [InlineData("rm a --json", "--json does not apply to rm")]
    [InlineData("resize a 1M --max-size 2M", "--max-size does not apply to resize")]
    [InlineData("create a 1M --expect-generation 2", "--expect-generation does not apply to create")]
    [InlineData("stat a --expect-generation 2", "--expect-generation does not apply to stat")]
    [InlineData("resize a 1M --expect-generation 1 --expect-generation 2", "--expect-generation given twice")]
    [InlineData("create a 1M --max-size 2M --max-size 3M", "--max-size given twice")]
    [InlineData("resize a 1M --expect-generation", "--expect-generation needs a value")]
    [InlineData("create a 1M --max-size", "--max-size needs a value")]
    public void New_options_apply_only_where_they_mean_something(string line, string problem)
    {
        Assert.StartsWith(problem, UsageError(line.Split(' ')), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sessions --help")]
    [InlineData("watch a --help")]
    public void Help_wins_on_the_new_commands_too(string line)
    {
        Assert.Equal(Verb.Help, Parse(line.Split(' ')).Verb);
    }

    [Fact]
    public void Every_command_has_a_synopsis_and_a_help_line()
    {
        foreach (var verb in Enum.GetValues<Verb>().Where(v => v is not Verb.Help))
        {
            var name = CommandLine.NameOf(verb);
            Assert.StartsWith("mapctl ", Usage.Of(verb), StringComparison.Ordinal);
            Assert.Contains($" {name}", Usage.Of(verb), StringComparison.Ordinal);
            Assert.Contains($"\n  {name}", Usage.Help, StringComparison.Ordinal);
            Assert.Contains(name, Usage.Summary, StringComparison.Ordinal);
        }
    }
}
