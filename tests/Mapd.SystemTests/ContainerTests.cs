using Mapd.SystemTests.Infrastructure;
using Xunit.Abstractions;

namespace Mapd.SystemTests;

/// <summary>
/// The repository's Dockerfile built with podman from local base images, and run with the flags
/// docs/operations.md gives: the socket directory and the storage tmpfs shared with the host,
/// a client on the host (another uid, in the image's group) mapping a region, and mapctl inside
/// the container.
/// </summary>
public sealed class ContainerTests(ITestOutputHelper output)
{
    /// <summary>The image's fixed uid and gid (ARG MAPD_UID).</summary>
    private const string ImageUid = "10001";

    /// <summary>
    /// The documented run flags with a prepared host tmpfs (huge pages), which docker and podman
    /// both accept; the paths are the test's own.
    /// </summary>
    public static string[] PreparedStorageFlags(string sockets, string storage, string size) =>
    [
        "--network", "none",
        "--mount", $"type=bind,source={sockets},target=/run/mapd",
        "--mount", $"type=bind,source={storage},target=/var/lib/mapd",
        "-e", "Mapd__Storage__Path=/var/lib/mapd", "-e", $"Mapd__Storage__Size={size}",
    ];

    /// <summary>The documented run flags with a tmpfs of the container's own (no huge pages).</summary>
    public static string[] OwnTmpfsFlags(string sockets, long bytes, string size) =>
    [
        "--network", "none",
        "--mount", $"type=bind,source={sockets},target=/run/mapd",
        "--mount", $"type=tmpfs,target=/var/lib/mapd,tmpfs-size={bytes},tmpfs-mode=1777",
        "-e", $"Mapd__Storage__Size={size}",
    ];

    [RequiresSystemFact(SystemNeed.Containers)]
    public async Task The_image_serves_a_host_client_through_a_shared_socket_directory_and_a_host_tmpfs_with_huge_pages()
    {
        var image = await ContainerImages.MapdAsync();
        foreach (var (step, took) in ContainerImages.Timings)
        {
            output.WriteLine($"{step}: {took.TotalSeconds:F1} s");
        }

        using var sockets = new HostDirectory("mapd-ct-run-", ImageUid, 0b111_101_101);
        using var storage = new HostDirectory("mapd-ct-storage-", "0", 0b111_101_101);
        (await Commands.RunAsync("mount", ["-t", "tmpfs", "-o", $"size=256m,huge=within_size,mode=0700,uid={ImageUid},gid={ImageUid}", "mapd-test-storage", storage.Path], TimeSpan.FromSeconds(30))).EnsureSuccess();
        try
        {
            await using var container = await Container.RunAsync(image, PreparedStorageFlags(sockets.Path, storage.Path, "256M"), sockets.Path);

            Assert.Equal("ok wrote 8388608", await HostClientAsync(sockets.Path, "create-write", "shared", "8388608", "23", "0660"));
            Assert.Equal("ok verified 8388608", await HostClientAsync(sockets.Path, "verify", "shared", "23"));

            // The bytes live in the host's tmpfs, and the container's mapctl sees the region.
            Assert.Equal(8388608, new FileInfo(Path.Join(storage.Path, "regions", "shared")).Length);
            var list = (await container.ExecAsync("mapctl", "ls")).EnsureSuccess();
            output.WriteLine(list);
            Assert.Matches(@"(?m)^shared\s+8M\s+1\s+0660\s", list);
            Assert.Contains("200 Healthy", (await container.ExecAsync("mapd", "healthcheck")).EnsureSuccess(), StringComparison.Ordinal);
            Assert.DoesNotContain("dedicated tmpfs", await container.LogsAsync(), StringComparison.Ordinal);

            Assert.Equal(0, await container.StopAsync());
        }
        finally
        {
            (await Commands.RunAsync("umount", [storage.Path], TimeSpan.FromSeconds(30))).EnsureSuccess();
        }
    }

    [RequiresSystemFact(SystemNeed.Containers)]
    public async Task The_image_serves_a_host_client_on_a_tmpfs_of_its_own()
    {
        var image = await ContainerImages.MapdAsync();
        using var sockets = new HostDirectory("mapd-ct-run-", ImageUid, 0b111_101_101);
        await using var container = await Container.RunAsync(image, OwnTmpfsFlags(sockets.Path, 256L << 20, "256M"), sockets.Path);

        Assert.Equal("ok wrote 1048576", await HostClientAsync(sockets.Path, "create-write", "private", "1048576", "29"));
        Assert.Matches(@"(?m)^private\s+1M\s", (await container.ExecAsync("mapctl", "ls")).EnsureSuccess());
        Assert.Equal(0, await container.StopAsync());
    }

    [RequiresToolsFact("docker")]
    public async Task Docker_accepts_the_documented_run_flags()
    {
        // No engine is needed to judge the flags: the docker CLI parses them before it connects,
        // and refuses one it does not know (as it does --mount ...,huge=within_size).
        foreach (var flags in new[] { PreparedStorageFlags("/run/mapd", "/run/mapd-storage", "8G"), OwnTmpfsFlags("/run/mapd", 8L << 30, "8G") })
        {
            var run = await Commands.RunAsync(TestTools.Require("docker"), ["--host", "unix:///nonexistent/docker.sock", "run", "-d", "--name", "mapd", .. flags, "mapd"], TimeSpan.FromMinutes(1));
            Assert.True(run.Error.Contains("Cannot connect to the Docker daemon", StringComparison.Ordinal), run.ToString());
        }

        var refused = await Commands.RunAsync(TestTools.Require("docker"), ["--host", "unix:///nonexistent/docker.sock", "run", "--mount", "type=tmpfs,target=/x,huge=within_size", "mapd"], TimeSpan.FromMinutes(1));
        Assert.Contains("invalid argument", refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_operations_guide_gives_the_flags_these_tests_run()
    {
        var guide = File.ReadAllText(Path.Join(TestEnvironment.RepositoryRoot, "docs", "operations.md")).Replace("\\\n", " ", StringComparison.Ordinal);
        var words = string.Join(' ', guide.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(string.Join(' ', PreparedStorageFlags("/run/mapd", "/run/mapd-storage", "8G")), words, StringComparison.Ordinal);
        Assert.Contains(string.Join(' ', OwnTmpfsFlags("/run/mapd", 8L << 30, "8G")), words, StringComparison.Ordinal);
        Assert.Contains("mount -t tmpfs -o size=8g,huge=within_size,mode=0700,uid=10001,gid=10001", words, StringComparison.Ordinal);
    }

    /// <summary>The test client on the host, as the unprivileged uid 65534 in the image's group.</summary>
    private static async Task<string> HostClientAsync(string sockets, params string[] arguments)
    {
        var result = await Commands.RunAsync(
            TestTools.Require("setpriv"),
            ["--reuid=65534", "--regid=65534", $"--groups={ImageUid}", "--", TestEnvironment.DotnetHost, PublicCopy.Of(TestEnvironment.TestClientDll), sockets, .. arguments],
            TimeSpan.FromMinutes(1),
            new Dictionary<string, string?> { ["HOME"] = "/tmp" });
        return result.EnsureSuccess().Trim();
    }
}
