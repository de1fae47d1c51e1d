namespace Mapd.Testing;

/// <summary>Where the built binaries are, and what this machine lets the tests do.</summary>
public static class TestEnvironment
{
    /// <summary>True when running as root (CI does): tests mount a real tmpfs and switch uids.</summary>
    public static bool IsRoot => Native.ProcessIdentity.Uid == 0;

    /// <summary>CI sets MAPD_REQUIRE_ALL=1: nothing may be skipped there.</summary>
    public static bool RequireAll => Environment.GetEnvironmentVariable("MAPD_REQUIRE_ALL") == "1";

    /// <summary>The repository root.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Debug or Release, as this test assembly was built.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The daemon's entry assembly, of this build's configuration.</summary>
    public static string DaemonDll => Built("src/Mapd.Server", "mapd.dll");

    /// <summary>The daemon's entry assembly of the Release build, which benchmarks measure whatever builds them.</summary>
    public static string ReleaseDaemonDll => Built("src/Mapd.Server", "mapd.dll", "Release");

    /// <summary>The test client's entry assembly.</summary>
    public static string TestClientDll => Built("tests/Mapd.TestClient", "Mapd.TestClient.dll");

    /// <summary>mapctl's entry assembly.</summary>
    public static string MapctlDll => Built("src/Mapd.Cli", "mapctl.dll");

    /// <summary>The dotnet host running this test.</summary>
    public static string DotnetHost { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : FindTool("dotnet") ?? "dotnet";

    /// <summary>Path to a tool such as setpriv, or null when missing.</summary>
    public static string? FindTool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/sbin")
            .Select(dir => Path.Join(dir, name))
            .FirstOrDefault(File.Exists);

    private static string Built(string project, string file, string? configuration = null)
    {
        configuration ??= Configuration;
        var path = Path.Join(RepositoryRoot, project, "bin", configuration, "net10.0", file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing; build it first (dotnet build -c {configuration} {project})");
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Join(dir.FullName, "mapd.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("cannot find mapd.sln above " + AppContext.BaseDirectory);
    }
}
