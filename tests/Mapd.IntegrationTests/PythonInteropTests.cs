using Mapd.IntegrationTests.Infrastructure;

namespace Mapd.IntegrationTests;

/// <summary>
/// Any language can use mapd: a Python process using the mapd package (src/python, installed
/// from its wheel) shares a region with a C# client, byte for byte, while both map it.
/// </summary>
[Collection(PythonPackageGroup.Name)]
public sealed class PythonInteropTests(SharedDaemon shared, PythonPackage package) : IClassFixture<SharedDaemon>
{
    [RequiresToolsFact("py:ensurepip", "py:setuptools", "py:wheel", "py:grpc", "py:google.protobuf", "py:numpy")]
    public async Task A_python_client_reads_and_writes_the_bytes_of_a_region_a_csharp_client_created()
    {
        var daemon = shared.Daemon;
        var name = Status.UniqueName("python");

        await using var client = await daemon.ConnectAsync();
        using var region = await client.CreateAsync(name, 1 << 20, mode: 0b110_110_110);
        SharingTests.Fill(region, 7);

        var script = Path.Join(TestEnvironment.RepositoryRoot, "tests", "interop", "python", "interop.py");
        var (exit, output) = await TestTools.RunAsync(
            await package.GetPythonAsync(),
            [script, daemon.SocketDirectory, name, "7", "8"],
            environment: new Dictionary<string, string> { ["PYTHONDONTWRITEBYTECODE"] = "1" });
        Assert.True(exit == 0, output);
        Assert.StartsWith($"ok verified {1 << 20} wrote {1 << 20}", output, StringComparison.Ordinal);

        // The C# mapping, still open, sees what Python wrote: both map the same pages.
        Assert.Equal(-1, SharingTests.FindMismatch(region, 8));
    }
}
