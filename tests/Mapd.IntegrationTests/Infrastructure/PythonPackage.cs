namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>
/// The Python package (src/python) as its users get it: built into a wheel and installed with pip
/// into a virtual environment that sees Debian's python3-grpcio, python3-protobuf and
/// python3-numpy, so the install also checks that the package's dependency ranges accept them.
/// Built from a copy outside the checkout, so the tests import the wheel and not the source
/// tree; built on first use (a test skipped for a missing tool builds nothing), once for the
/// <see cref="PythonPackageGroup"/>, and removed with it.
/// </summary>
public sealed class PythonPackage : IAsyncLifetime
{
    private readonly Lazy<Task<string>> _built;

    /// <summary>Creates the fixture; nothing is built yet.</summary>
    public PythonPackage() => _built = new(BuildAsync);

    /// <summary>The package's own sources in the checkout (its tests live there).</summary>
    public static string SourceDirectory => Path.Join(TestEnvironment.RepositoryRoot, "src", "python");

    /// <summary>The virtual environment's interpreter, once the wheel is built and installed.</summary>
    public async Task<string> GetPythonAsync() => Path.Join(await _built.Value, "venv", "bin", "python");

    /// <inheritdoc />
    public Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_built.IsValueCreated)
        {
            try
            {
                Directory.Delete(await _built.Value, recursive: true);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                // Nothing was built (the build failed and said why), or it is gone already.
            }
        }
    }

    private static async Task<string> BuildAsync()
    {
        var root = Directory.CreateTempSubdirectory("mapd-it-python-").FullName;

        // setpriv tests run the environment's interpreter as another uid.
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var source = Path.Join(root, "source");
        CopySources(SourceDirectory, source);

        var venv = Path.Join(root, "venv");
        var pip = Path.Join(venv, "bin", "pip");
        var wheels = Path.Join(root, "dist");
        await RunAsync(TestTools.DebianPython, ["-m", "venv", "--system-site-packages", venv]);
        await RunAsync(pip, ["wheel", "--no-build-isolation", "--no-index", "--no-deps", "--wheel-dir", wheels, source]);
        var wheel = Directory.GetFiles(wheels, "mapd-*.whl").Single();
        await RunAsync(pip, ["install", "--no-index", "--no-build-isolation", $"{wheel}[numpy]"]);
        return root;
    }

    /// <summary>What the wheel is built from: the package, without its tests or earlier build output.</summary>
    private static void CopySources(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            var top = relative.Split('/')[0];
            if (top is "tests" or "build" or "dist" || relative.Contains("__pycache__", StringComparison.Ordinal) || relative.Contains(".egg-info", StringComparison.Ordinal))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Join(to, relative))!);
            File.Copy(file, Path.Join(to, relative));
        }
    }

    private static async Task RunAsync(string file, string[] arguments)
    {
        var (exit, output) = await TestTools.RunAsync(file, arguments, timeout: TimeSpan.FromMinutes(2));
        if (exit != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {exit}:\n{output}");
        }
    }
}
