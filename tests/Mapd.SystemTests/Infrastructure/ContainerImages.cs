using System.Runtime.InteropServices;

namespace Mapd.SystemTests.Infrastructure;

/// <summary>
/// Stand-ins for the official .NET images, which these machines cannot pull, and the mapd image
/// built from the repository's Dockerfile on top of them. The stand-ins are the cached Debian
/// root with this machine's .NET added: the SDK (and the CA bundle NuGet needs) for the build
/// stage, the shared runtimes at /usr/share/dotnet for the runtime stage, where the official
/// images keep them. They stay in podman's store, so only the first run imports them.
/// </summary>
public static class ContainerImages
{
    private const string SystemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/share/dotnet";
    private static readonly Lazy<Task<string>> Built = new(BuildAsync);

    private static readonly List<(string Step, TimeSpan Took)> Steps = [];

    /// <summary>The mapd image of this checkout, building it (and the bases) on first use.</summary>
    public static Task<string> MapdAsync() => Built.Value;

    /// <summary>How long the base imports and the build took in this run, for the record.</summary>
    public static IReadOnlyList<(string Step, TimeSpan Took)> Timings
    {
        get
        {
            lock (Steps)
            {
                return [.. Steps];
            }
        }
    }

    private static async Task<string> BuildAsync()
    {
        var root = await DebianRoot.EnsureAsync();
        var dotnet = Path.GetDirectoryName(File.ResolveLinkTarget(TestEnvironment.DotnetHost, returnFinalTarget: true)?.FullName ?? TestEnvironment.DotnetHost)!;
        var sdkVersion = (await Commands.RunAsync("dotnet", ["--version"], TimeSpan.FromMinutes(1), Commands.NestedDotnet)).EnsureSuccess().Trim();
        var sdk = $"localhost/mapd-test/dotnet-sdk:{sdkVersion}";
        var runtime = $"localhost/mapd-test/aspnet:{RuntimeInformation.FrameworkDescription.Split(' ')[^1]}";

        using (await SystemTestCache.LockAsync("base-images", TimeSpan.FromMinutes(20)))
        {
            if (!await Podman.ImageExistsAsync(sdk))
            {
                await TimedAsync($"podman import {sdk}", () => ImportAsync(
                    sdk,
                    $"tar --numeric-owner -c -C {root} . -C / {dotnet.TrimStart('/')} etc/ssl/certs/ca-certificates.crt",
                    ["ENV DOTNET_CLI_TELEMETRY_OPTOUT=1", "ENV DOTNET_NOLOGO=1", "ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1", "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"]));
            }

            if (!await Podman.ImageExistsAsync(runtime))
            {
                var parts = string.Join(' ', new[] { "dotnet", "host", "shared" }.Select(p => Path.Join(dotnet, p).TrimStart('/')));
                await TimedAsync($"podman import {runtime}", () => ImportAsync(runtime, $"tar --numeric-owner -c -C {root} . -C / {parts}", []));
            }
        }

        var image = $"localhost/mapd-test/mapd:{Path.GetFileName(Path.GetDirectoryName(SystemTestCache.ForCheckout("image")))}";

        // --format docker keeps HEALTHCHECK (OCI images have none); --network host lets the
        // build stage restore from NuGet as the host does.
        await TimedAsync("podman build (layers cached between runs)", async () => (await Podman.RunAsync(
            ["build", "--format", "docker", "--network", "host", "--build-arg", $"SDK_IMAGE={sdk}", "--build-arg", $"RUNTIME_IMAGE={runtime}", "--tag", image, TestEnvironment.RepositoryRoot],
            TimeSpan.FromMinutes(20))).EnsureSuccess());
        return image;
    }

    private static async Task TimedAsync(string step, Func<Task> action)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await action();
        lock (Steps)
        {
            Steps.Add((step, clock.Elapsed));
        }
    }

    private static async Task ImportAsync(string image, string tar, IEnumerable<string> changes)
    {
        var change = string.Join(' ', changes.Prepend($"ENV PATH={SystemPath}").Select(c => $"--change '{c}'"));
        (await Podman.PipelineAsync($"{tar} | podman import {change} - {image}", TimeSpan.FromMinutes(10))).EnsureSuccess();
    }
}
