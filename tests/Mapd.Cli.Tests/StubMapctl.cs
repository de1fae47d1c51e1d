using System.Diagnostics;

namespace Mapd.Cli.Tests;

/// <summary>
/// A stand-in <c>mapctl</c> for completion scripts: a shell script in a directory of its own that
/// answers <c>ls --names</c> with alpha, beta and orders, and records how it was asked.
/// </summary>
internal sealed class StubMapctl : IDisposable
{
    public StubMapctl()
    {
        File.WriteAllText(Path, "#!/bin/sh\necho \"$*\" >> \"$(dirname \"$0\")/calls\"\nprintf 'alpha\\nbeta\\norders\\n'\n");
        File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>The directory holding the stub, for PATH.</summary>
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("mapctl-completion-").FullName;

    /// <summary>The stub's path.</summary>
    public string Path => System.IO.Path.Join(Directory, "mapctl");

    /// <summary>The argument lists it was run with, in order.</summary>
    public string[] Calls => File.Exists(System.IO.Path.Join(Directory, "calls")) ? File.ReadAllLines(System.IO.Path.Join(Directory, "calls")) : [];

    /// <summary>The committed completion script for <paramref name="shell"/>, as the build copied it next to the tests.</summary>
    public static string Script(string shell) => System.IO.Path.Join(AppContext.BaseDirectory, "completions", CompletionScripts.FileName(shell));

    /// <summary><paramref name="word"/> single-quoted for bash or zsh.</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Runs <paramref name="shell"/> with <paramref name="arguments"/>, the stub first on PATH; returns stdout, failing on a non-zero exit or anything on stderr.</summary>
    public async Task<string> RunAsync(string shell, params string[] arguments)
    {
        var start = new ProcessStartInfo(shell)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PATH"] = Directory + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["HOME"] = Directory;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{shell} exited {process.ExitCode}: {error}");
        Assert.Equal("", error);
        return await output;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
