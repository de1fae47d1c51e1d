using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mapd.Testing;

/// <summary>External tools the operational tests drive, and small helpers to run them.</summary>
public static class TestTools
{
    /// <summary>Debian's interpreter, which is where python3-grpcio installs (not a pyenv shim).</summary>
    public const string DebianPython = "/usr/bin/python3";

    private static readonly ConcurrentDictionary<string, bool> Found = new();

    /// <summary>The requirements of <paramref name="tools"/> that this machine lacks.</summary>
    public static IReadOnlyList<string> Missing(IEnumerable<string> tools) =>
        [.. tools.Where(tool => !Found.GetOrAdd(tool, Probe))];

    /// <summary>The path of <paramref name="tool"/>; fails the test (with the install hint) when missing.</summary>
    public static string Require(string tool) =>
        TestEnvironment.FindTool(tool) ?? throw new InvalidOperationException($"{tool} is not installed; run .ci/install-test-tools.sh");

    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs <paramref name="file"/> to completion (<paramref name="timeout"/>, default 60 s, at most) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments, string? standardInput = null, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = standardInput is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }

        var limit = timeout ?? TimeSpan.FromSeconds(60);
        using var expiry = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(expiry.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {limit.TotalSeconds} s");
        }

        return (process.ExitCode, (await stdout) + (await stderr));
    }

    private static bool Probe(string tool)
    {
        if (tool.StartsWith("py:", StringComparison.Ordinal))
        {
            if (!File.Exists(DebianPython))
            {
                return false;
            }

            using var python = Process.Start(new ProcessStartInfo(DebianPython, ["-c", $"import {tool[3..]}"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            python.WaitForExit(30_000);
            return python.HasExited && python.ExitCode == 0;
        }

        return tool.StartsWith('/') ? File.Exists(tool) : TestEnvironment.FindTool(tool) is not null;
    }
}
