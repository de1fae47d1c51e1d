namespace Mapd.SystemTests.Infrastructure;

/// <summary>
/// What <c>dotnet pack mapd.sln -c Release -o DIR</c> makes of this checkout, built once per test
/// run, with dotnet's bin/obj kept apart from the source tree's (the outer build must not see
/// them change) in <see cref="SystemTestCache"/>, where reruns are incremental.
/// </summary>
public static class PackedArtifacts
{
    private static readonly Lazy<Task<string>> Packed = new(PackAsync);

    /// <summary>The folder of .nupkg and .snupkg files.</summary>
    public static Task<string> DirectoryAsync() => Packed.Value;

    /// <summary>The version every package carries (Directory.Build.props).</summary>
    public static string VersionIn(string directory) =>
        Path.GetFileName(Directory.GetFiles(directory, "Mapd.Client.*.nupkg").Single())["Mapd.Client.".Length..^".nupkg".Length];

    private static async Task<string> PackAsync()
    {
        var output = SystemTestCache.ForCheckout("nuget");
        foreach (var old in Directory.GetFiles(output))
        {
            File.Delete(old);
        }

        (await Commands.RunAsync(
            "dotnet",
            ["pack", Path.Join(TestEnvironment.RepositoryRoot, "mapd.sln"), "-c", "Release", "-o", output, "--artifacts-path", SystemTestCache.ForCheckout("pack-build")],
            TimeSpan.FromMinutes(15),
            Commands.NestedDotnet)).EnsureSuccess();
        return output;
    }
}
