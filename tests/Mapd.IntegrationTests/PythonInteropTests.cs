using Mapd.IntegrationTests.Infrastructure;

namespace Mapd.IntegrationTests;

/// <summary>
/// Any language can use mapd: a Python client (tests/interop/python) built from the proto with
/// stock protoc, Debian's python3-grpcio, socket.recv_fds and mmap shares a region with a C#
/// client, byte for byte, while both map it.
/// </summary>
public sealed class PythonInteropTests(SharedDaemon shared) : IClassFixture<SharedDaemon>
{
    [RequiresToolsFact("protoc", "grpc_python_plugin", "/usr/include/google/protobuf/timestamp.proto", "py:grpc", "py:google.protobuf")]
    public async Task A_python_client_reads_and_writes_the_bytes_of_a_region_a_csharp_client_created()
    {
        var daemon = shared.Daemon;
        var name = Status.UniqueName("python");
        var stubs = Directory.CreateTempSubdirectory("mapd-it-pystubs-").FullName;
        try
        {
            await using var client = await daemon.ConnectAsync();
            using var region = await client.CreateAsync(name, 1 << 20, mode: 0b110_110_110);
            SharingTests.Fill(region, 7);

            var python = Path.Join(TestEnvironment.RepositoryRoot, "tests", "interop", "python");
            var (exit, output) = await TestTools.RunAsync(
                TestTools.DebianPython,
                [Path.Join(python, "interop.py"), Path.Join(TestEnvironment.RepositoryRoot, "protos"), stubs, daemon.SocketDirectory, name, "7", "8"],
                environment: new Dictionary<string, string> { ["PYTHONDONTWRITEBYTECODE"] = "1" });
            Assert.True(exit == 0, output);
            Assert.StartsWith($"ok verified {1 << 20} wrote {1 << 20}", output, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Join(stubs, "mapd", "v1", "mapd_pb2_grpc.py")), "stubs come from protoc at test time");

            // The C# mapping, still open, sees what Python wrote: both map the same pages.
            Assert.Equal(-1, SharingTests.FindMismatch(region, 8));
        }
        finally
        {
            Directory.Delete(stubs, recursive: true);
        }
    }
}
