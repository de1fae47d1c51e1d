using Mapd.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Mapd.IntegrationTests;

/// <summary>
/// The Python package's pytest suite (src/python/tests), run from the wheel installed in a
/// virtual environment, against daemons it starts from this build: processes in Python and C#
/// sharing bytes, resizes under numpy arrays, shrinks waiting for views, SIGKILL, restarts,
/// other uids, every error class, mypy, and the README's examples.
/// </summary>
[Collection(PythonPackageGroup.Name)]
public sealed class PythonPackageTests(PythonPackage package, ITestOutputHelper output)
{
    [RequiresToolsFact("py:ensurepip", "py:setuptools", "py:wheel", "py:grpc", "py:google.protobuf", "py:numpy", "py:pytest", "py:mypy",
        "protoc", "/usr/include/google/protobuf/timestamp.proto", "setpriv")]
    public async Task The_wheel_passes_its_pytest_suite_against_the_real_daemon()
    {
        var (exit, log) = await TestTools.RunAsync(
            await package.GetPythonAsync(),
            ["-P", "-m", "pytest", Path.Join(PythonPackage.SourceDirectory, "tests"), "-p", "no:cacheprovider", "-q", "-rs", "--durations=5"],
            environment: new Dictionary<string, string>
            {
                ["MAPD_DAEMON_DLL"] = TestEnvironment.DaemonDll,
                ["MAPD_TEST_CLIENT_DLL"] = TestEnvironment.TestClientDll,
                ["DOTNET_HOST_PATH"] = TestEnvironment.DotnetHost,
                ["MAPD_PROTO_ROOT"] = Path.Join(TestEnvironment.RepositoryRoot, "protos"),
                ["MAPD_EXPECT_INSTALLED"] = "1",
                ["PYTHONDONTWRITEBYTECODE"] = "1",
            },
            timeout: TimeSpan.FromMinutes(5));
        output.WriteLine(log);
        Assert.True(exit == 0, log);
        if (TestEnvironment.RequireAll)
        {
            Assert.DoesNotContain(" skipped", log, StringComparison.Ordinal);
        }
    }
}
