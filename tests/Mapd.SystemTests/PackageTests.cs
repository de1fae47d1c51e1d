using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Mapd.SystemTests.Infrastructure;
using Xunit.Abstractions;

namespace Mapd.SystemTests;

/// <summary>
/// mapd as .NET developers get it: the packages of <c>dotnet pack mapd.sln</c> in a fresh
/// project that knows nothing but their folder, mapctl as a .NET tool and as one
/// self-contained file, each against a live daemon.
/// </summary>
public sealed partial class PackageTests(ITestOutputHelper output)
{
    // The README's ten lines, made to finish and to say what they saw.
    private const string ReadmeProgram = """
        using Mapd.Client;

        var name = args[0];
        await using var mapd = await MapdClient.ConnectAsync();
        using var region = await mapd.CreateAsync(name, 64 << 20, maxSize: 8L << 30);
        using (var lease = region.AcquireLease())
        {
            lease.GetSpan(0, 4096).Fill(1);
        }
        region.Changed += (_, change) => Console.WriteLine(change);
        await region.ResizeAsync(128 << 20);
        using var reader = await mapd.OpenAsync(name, RegionAccess.ReadOnly);
        using (var lease = reader.AcquireLease())
        {
            Console.WriteLine($"ok {reader.Size} {reader.Access} {lease.GetReadOnlySpan(4095, 1)[0]}");
        }
        """;

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task Every_package_has_one_version_a_readme_a_license_its_repository_and_symbols()
    {
        var packages = await PackedArtifacts.DirectoryAsync();
        var version = PackedArtifacts.VersionIn(packages);
        var found = Directory.GetFiles(packages, "*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal([$"Mapd.Client.{version}.nupkg", $"Mapd.Native.{version}.nupkg", $"Mapd.Protocol.{version}.nupkg", $"mapctl.{version}.nupkg"], found);

        foreach (var nupkg in Directory.GetFiles(packages, "*.nupkg"))
        {
            using var zip = ZipFile.OpenRead(nupkg);
            var nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            XNamespace ns = nuspec.Root!.Name.Namespace;
            var metadata = nuspec.Root.Element(ns + "metadata")!;
            var id = metadata.Element(ns + "id")!.Value;
            Assert.Equal(version, metadata.Element(ns + "version")!.Value);
            Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
            Assert.NotNull(zip.GetEntry("README.md"));
            Assert.DoesNotContain(id, metadata.Element(ns + "authors")!.Value, StringComparison.Ordinal);
            Assert.Matches("^[0-9a-f]{40}$", metadata.Element(ns + "repository")!.Attribute("commit")!.Value);
            foreach (var dependency in metadata.Descendants(ns + "dependency").Where(d => d.Attribute("id")!.Value.StartsWith("Mapd.", StringComparison.Ordinal)))
            {
                Assert.Equal(version, dependency.Attribute("version")!.Value);
            }

            using var symbols = ZipFile.OpenRead(Path.ChangeExtension(nupkg, ".snupkg"));
            Assert.Contains(symbols.Entries, e => e.FullName.EndsWith(".pdb", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Mapd_Client_from_its_folder_alone_builds_in_a_fresh_project_without_warnings_and_maps_a_region()
    {
        var packages = await PackedArtifacts.DirectoryAsync();
        using var consumer = await ConsumerProject.CreateAsync(packages);
        await consumer.WriteAppAsync(PackedArtifacts.VersionIn(packages), ReadmeProgram);

        // -warnaserror: a CA1416 (or any) warning in the consumer fails the build.
        var build = await Commands.RunAsync("dotnet", ["build", "-c", "Release", "-warnaserror", "-o", "out"], BuildTimeout, Commands.NestedDotnet, consumer.Root);
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Matches(@"\b0 Warning\(s\)", build.Output);

        await using var daemon = await MapdDaemon.StartAsync();
        var run = await Commands.RunAsync(
            "dotnet",
            [Path.Join(consumer.Root, "out", "Consumer.dll"), "consumer"],
            TimeSpan.FromMinutes(1),
            new Dictionary<string, string?> { ["MAPD_SOCKET_DIR"] = daemon.SocketDirectory });
        output.WriteLine(run.Output);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal($"ok {128 << 20} ReadOnly 1", run.Output.Trim().Split('\n')[^1]);
    }

    [Fact]
    public async Task Mapctl_installs_as_a_dotnet_tool_and_lists_a_daemons_regions()
    {
        var packages = await PackedArtifacts.DirectoryAsync();
        var version = PackedArtifacts.VersionIn(packages);
        using var consumer = await ConsumerProject.CreateAsync(packages);
        var tools = Path.Join(consumer.Root, "tools");

        var install = await Commands.RunAsync(
            "dotnet",
            ["tool", "install", "mapctl", "--version", version, "--tool-path", tools, "--configfile", consumer.NuGetConfig],
            BuildTimeout,
            Commands.NestedDotnet,
            consumer.Root);
        Assert.True(install.ExitCode == 0, install.ToString());

        await MapctlServesAsync(Path.Join(tools, "mapctl"), version);
    }

    [Fact]
    public async Task Mapctl_publishes_as_one_self_contained_file_that_lists_a_daemons_regions()
    {
        var packages = await PackedArtifacts.DirectoryAsync();
        var single = Directory.CreateTempSubdirectory("mapd-mapctl-single-").FullName;
        try
        {
            // The command docs/operations.md gives, with dotnet's bin/obj kept out of the source tree.
            var publish = await Commands.RunAsync(
                "dotnet",
                ["publish", Path.Join(TestEnvironment.RepositoryRoot, "src", "Mapd.Cli"), "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier, "-p:PublishSingleFile=true", "-o", single, "--artifacts-path", SystemTestCache.ForCheckout("single-file-build")],
                BuildTimeout,
                Commands.NestedDotnet);
            Assert.True(publish.ExitCode == 0, publish.ToString());

            var files = Directory.GetFiles(single).Select(Path.GetFileName).Where(f => !f!.EndsWith(".pdb", StringComparison.Ordinal)).ToList();
            output.WriteLine($"published: {string.Join(", ", files)}; mapctl is {new FileInfo(Path.Join(single, "mapctl")).Length >> 20} MiB");
            Assert.Equal(["mapctl"], files);

            await MapctlServesAsync(Path.Join(single, "mapctl"), PackedArtifacts.VersionIn(packages));
        }
        finally
        {
            Directory.Delete(single, recursive: true);
        }
    }

    private static async Task MapctlServesAsync(string mapctl, string version)
    {
        var versionLine = await Commands.RunAsync(mapctl, ["--version"], TimeSpan.FromMinutes(1));
        Assert.True(versionLine.ExitCode == 0, versionLine.ToString());
        Assert.StartsWith($"mapctl {version}", versionLine.Output, StringComparison.Ordinal);

        await using var daemon = await MapdDaemon.StartAsync();
        var environment = new Dictionary<string, string?> { ["MAPD_SOCKET_DIR"] = daemon.SocketDirectory };
        var create = await Commands.RunAsync(mapctl, ["create", "from-tool", "1M"], TimeSpan.FromMinutes(1), environment);
        Assert.True(create.ExitCode == 0, create.ToString());
        var list = await Commands.RunAsync(mapctl, ["ls"], TimeSpan.FromMinutes(1), environment);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Matches(ListedRegion(), list.Output);
    }

    [GeneratedRegex(@"(?m)^from-tool\s+1M\s")]
    private static partial Regex ListedRegion();
}
