namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>One finished mapctl run.</summary>
internal sealed record MapctlResult(int ExitCode, string Stdout, string Stderr, int Pid)
{
    /// <summary>Exit 0, nothing on stderr, and, when given, exactly <paramref name="stdout"/>.</summary>
    public void Succeeded(string? stdout = null)
    {
        Assert.True(ExitCode == 0, $"mapctl exited {ExitCode}: {Stderr}");
        Assert.Equal("", Stderr);
        if (stdout is not null)
        {
            Assert.Equal(stdout, Stdout);
        }
    }

    /// <summary>The exit code, nothing on stdout, and one <c>mapctl: </c> line on stderr containing <paramref name="text"/>.</summary>
    public void Failed(int exitCode, string text)
    {
        Assert.True(ExitCode == exitCode, $"mapctl exited {ExitCode}, not {exitCode}: {Stderr}{Stdout}");
        Assert.Equal("", Stdout);
        Assert.Matches("^mapctl: [^\n]+\n$", Stderr);
        Assert.Contains(text, Stderr, StringComparison.Ordinal);
    }
}
