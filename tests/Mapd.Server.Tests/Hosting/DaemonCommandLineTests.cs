using Mapd.Server.Hosting;

namespace Mapd.Server.Tests.Hosting;

/// <summary>mapd's command line: help, version and the health probe, settings only otherwise, typos refused.</summary>
public sealed class DaemonCommandLineTests
{
    [Fact]
    public void No_arguments_runs_the_daemon() =>
        Assert.Equal(new DaemonCommandLine(DaemonVerb.Run, []).Verb, DaemonCommandLine.Parse([]).Verb);

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public void Help_wins_over_everything_else(string help)
    {
        Assert.Equal(DaemonVerb.Help, DaemonCommandLine.Parse(["--Mapd:Storage:Size=8G", help, "--version"]).Verb);
        Assert.Equal(DaemonVerb.Help, DaemonCommandLine.Parse([help, "--hlep"]).Verb);
    }

    [Fact]
    public void Version_is_recognised_among_settings() =>
        Assert.Equal(DaemonVerb.Version, DaemonCommandLine.Parse(["--Mapd:Storage:Size=8G", "--version"]).Verb);

    [Fact]
    public void Settings_in_every_form_the_configuration_reads_are_passed_on_as_given()
    {
        string[] args = ["--Mapd:Storage:Size=8G", "--Mapd:Storage:Path", "/run/mapd/storage", "Mapd:Metrics:Url=", "--Logging:LogLevel:Default=Debug"];

        var command = DaemonCommandLine.Parse(args);

        Assert.Equal(DaemonVerb.Run, command.Verb);
        Assert.Equal(args, command.Settings);
    }

    [Fact]
    public void Healthcheck_takes_the_settings_after_it()
    {
        var command = DaemonCommandLine.Parse(["healthcheck", "--Mapd:Metrics:Url=http://127.0.0.1:9500"]);

        Assert.Equal(DaemonVerb.HealthCheck, command.Verb);
        Assert.Equal(["--Mapd:Metrics:Url=http://127.0.0.1:9500"], command.Settings);
    }

    [Theory]
    [InlineData("--hlep")]
    [InlineData("start")]
    [InlineData("-v")]
    [InlineData("--Storage=8G")]
    [InlineData("Mapd:Storage:Size")]
    [InlineData("--:Size=8G")]
    [InlineData("/Mapd:Storage:Size=8G")]
    public void Anything_but_a_setting_is_refused_naming_it(string argument)
    {
        var command = DaemonCommandLine.Parse([argument, "--Mapd:SocketDirectory=/tmp/x"]);

        Assert.Equal(DaemonVerb.Invalid, command.Verb);
        Assert.Contains($"'{argument}'", command.Error, StringComparison.Ordinal);
        Assert.Empty(command.Settings);
    }

    [Theory]
    [InlineData("--Mapd:Storage:Size")]
    [InlineData("--Mapd:Storage:Size", "--Mapd:Storage:Path=/x")]
    public void A_setting_without_its_value_is_refused(params string[] args)
    {
        var command = DaemonCommandLine.Parse(args);

        Assert.Equal(DaemonVerb.Invalid, command.Verb);
        Assert.Contains("needs a value", command.Error, StringComparison.Ordinal);
    }
}
