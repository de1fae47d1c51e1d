namespace Mapd.SystemTests.Infrastructure;

/// <summary>
/// The .deb that deploy/debian/build.sh makes from this checkout, built once per test run
/// into <see cref="SystemTestCache"/> (where dotnet's outputs stay, so a rebuild is incremental).
/// </summary>
public static class DebianPackage
{
    private static readonly Lazy<Task<string>> Built = new(BuildAsync);

    /// <summary>The path of the package, building it on first use.</summary>
    public static Task<string> PathAsync() => Built.Value;

    /// <summary>The version in the package's file name, which is the one in Directory.Build.props.</summary>
    public static string VersionOf(string deb) => Path.GetFileNameWithoutExtension(deb).Split('_')[1];

    private static async Task<string> BuildAsync()
    {
        var output = SystemTestCache.ForCheckout("deb");
        foreach (var old in Directory.GetFiles(output, "*.deb"))
        {
            File.Delete(old);
        }

        using (await SystemTestCache.LockAsync("deb-" + Path.GetFileName(Path.GetDirectoryName(output)), TimeSpan.FromMinutes(20)))
        {
            // zstd, not the default xz: the guest's dpkg reads it, and it saves a minute of
            // compression on two cores. The package's contents are the same.
            var result = await Commands.RunAsync(
                "bash",
                [Path.Join(TestEnvironment.RepositoryRoot, "deploy", "debian", "build.sh"), "--output", output, "--build-dir", SystemTestCache.ForCheckout("deb-build"), "--compression", "zstd"],
                TimeSpan.FromMinutes(20),
                environment: Commands.NestedDotnet);
            var deb = result.EnsureSuccess().Trim().Split('\n')[^1];
            return File.Exists(deb) ? deb : throw new InvalidOperationException($"build.sh named {deb}, which does not exist:\n{result}");
        }
    }
}
