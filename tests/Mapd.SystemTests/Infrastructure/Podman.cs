namespace Mapd.SystemTests.Infrastructure;

/// <summary>
/// podman as this machine runs it: runc, cgroupfs (PID 1 is not systemd) and no default
/// ulimits (the host's hard limits are lower than podman's defaults). The settings live in a
/// containers.conf of the tests' own, so the host's podman configuration is left alone.
/// </summary>
public static class Podman
{
    private static readonly Lazy<string> Configuration = new(WriteConfiguration);

    /// <summary>Runs <c>podman ARGS</c>.</summary>
    public static Task<CommandResult> RunAsync(IEnumerable<string> arguments, TimeSpan? timeout = null) =>
        Commands.RunAsync(TestTools.Require("podman"), arguments, timeout ?? TimeSpan.FromMinutes(2), Environment());

    /// <summary>Runs a shell pipeline that calls podman (tar | podman import).</summary>
    public static Task<CommandResult> PipelineAsync(string script, TimeSpan timeout) =>
        Commands.RunAsync("bash", ["-o", "pipefail", "-c", script], timeout, Environment());

    /// <summary>True when the image exists in podman's store.</summary>
    public static async Task<bool> ImageExistsAsync(string image) =>
        (await RunAsync(["image", "exists", image])).ExitCode == 0;

    private static Dictionary<string, string?> Environment() => new() { ["CONTAINERS_CONF"] = Configuration.Value };

    private static string WriteConfiguration()
    {
        var path = Path.Join(SystemTestCache.Root, "containers.conf");
        Directory.CreateDirectory(SystemTestCache.Root);
        File.WriteAllText(path, """
            [containers]
            default_ulimits = []

            [engine]
            runtime = "runc"
            cgroup_manager = "cgroupfs"
            events_logger = "file"
            """);
        return path;
    }
}
