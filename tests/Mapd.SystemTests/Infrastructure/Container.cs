using System.Diagnostics;
using System.Globalization;

namespace Mapd.SystemTests.Infrastructure;

/// <summary>A detached podman container of the mapd image, removed on dispose.</summary>
public sealed class Container : IAsyncDisposable
{
    private Container(string name) => Name = name;

    /// <summary>The container's name.</summary>
    public string Name { get; }

    /// <summary>
    /// Runs <paramref name="image"/> detached with <paramref name="flags"/> and waits until the
    /// daemon serves: <c>mapd.sock</c> in <paramref name="sockets"/> with its group-writable mode,
    /// which the daemon sets once it listens, just before it reports ready.
    /// </summary>
    public static async Task<Container> RunAsync(string image, IEnumerable<string> flags, string sockets)
    {
        var container = new Container("mapd-test-" + Guid.NewGuid().ToString("N")[..8]);

        // No HEALTHCHECK runs here: podman schedules them with systemd timers, and this host's
        // PID 1 is not systemd. Docker accepts the same flag.
        (await Podman.RunAsync(["run", "--detach", "--name", container.Name, "--no-healthcheck", .. flags, image])).EnsureSuccess();
        try
        {
            var clock = Stopwatch.StartNew();
            var grpc = Path.Join(sockets, "mapd.sock");
            while (!File.Exists(grpc) || (File.GetUnixFileMode(grpc) & UnixFileMode.GroupWrite) == 0)
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(60) || await container.ExitCodeAsync() is not null)
                {
                    throw new InvalidOperationException($"mapd did not bind {sockets}/mapd.sock:\n{await container.LogsAsync()}");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }

            return container;
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a command in the container, as its user.</summary>
    public Task<CommandResult> ExecAsync(params string[] command) => Podman.RunAsync(["exec", Name, .. command]);

    /// <summary>What the daemon printed.</summary>
    public async Task<string> LogsAsync()
    {
        var logs = await Podman.RunAsync(["logs", Name]);
        return logs.Output + logs.Error;
    }

    /// <summary>Stops the container as <c>docker stop</c> does (SIGTERM, then SIGKILL after 30 s) and returns the daemon's exit code.</summary>
    public async Task<int> StopAsync()
    {
        (await Podman.RunAsync(["stop", "--time", "30", Name])).EnsureSuccess();
        return await ExitCodeAsync() ?? throw new InvalidOperationException($"{Name} did not stop");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await Podman.RunAsync(["rm", "--force", Name]);

    private async Task<int?> ExitCodeAsync()
    {
        var state = (await Podman.RunAsync(["inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", Name])).EnsureSuccess().Trim().Split(' ');
        return state[0] == "exited" ? int.Parse(state[1], CultureInfo.InvariantCulture) : null;
    }
}
