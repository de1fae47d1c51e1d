using System.Globalization;

namespace Mapd.SystemTests.Infrastructure;

/// <summary>
/// A fresh project outside the repository that gets mapd's packages from one folder only (a
/// package source mapping sends every <c>Mapd.*</c> and <c>mapctl</c> there; everything else
/// comes from this machine's NuGet sources), as a .NET developer would start one.
/// </summary>
public sealed class ConsumerProject : IDisposable
{
    private ConsumerProject(string directory, string packages)
    {
        Root = directory;
        Packages = packages;
    }

    /// <summary>The project's directory.</summary>
    public string Root { get; }

    /// <summary>The folder of mapd's packages.</summary>
    public string Packages { get; }

    /// <summary>The nuget.config that maps mapd's packages to <see cref="Packages"/>.</summary>
    public string NuGetConfig => Path.Join(Root, "nuget.config");

    /// <summary>Writes nuget.config into a fresh directory.</summary>
    public static async Task<ConsumerProject> CreateAsync(string packages)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("mapd-consumer-").FullName;
        var sources = await Commands.RunAsync("dotnet", ["nuget", "list", "source", "--format", "short"], TimeSpan.FromMinutes(1), Commands.NestedDotnet, directory);
        var upstream = sources.EnsureSuccess().Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("E ", StringComparison.Ordinal))
            .Select(l => l[2..].Trim())
            .Where(s => !s.Equals(packages, StringComparison.Ordinal))
            .ToList();
        var adds = string.Join('\n', upstream.Select((url, i) => $"    <add key=\"upstream{i}\" value=\"{url}\" />"));
        var maps = string.Join('\n', upstream.Select((_, i) => $"    <packageSource key=\"upstream{i}\"><package pattern=\"*\" /></packageSource>"));
        await File.WriteAllTextAsync(Path.Join(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="mapd" value="{packages}" />
            {adds}
              </packageSources>
              <packageSourceMapping>
                <packageSource key="mapd"><package pattern="Mapd.*" /><package pattern="mapctl" /></packageSource>
            {maps}
              </packageSourceMapping>
            </configuration>
            """);
        return new ConsumerProject(directory, packages);
    }

    /// <summary>Writes a console app that references Mapd.Client <paramref name="version"/> and runs <paramref name="program"/>.</summary>
    public async Task WriteAppAsync(string version, string program)
    {
        // The packages folder is kept between runs for third-party packages, but never for
        // mapd's own: the same version number is rebuilt from newer sources on every run.
        var restored = Path.Join(SystemTestCache.Root, "consumer-packages");
        foreach (var own in new[] { "mapd.client", "mapd.protocol", "mapd.native", "mapctl" })
        {
            if (System.IO.Directory.Exists(Path.Join(restored, own)))
            {
                System.IO.Directory.Delete(Path.Join(restored, own), recursive: true);
            }
        }

        await File.WriteAllTextAsync(Path.Join(Root, "Consumer.csproj"), string.Create(CultureInfo.InvariantCulture, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <RestorePackagesPath>{restored}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Mapd.Client" Version="{version}" />
              </ItemGroup>
            </Project>
            """));
        await File.WriteAllTextAsync(Path.Join(Root, "Program.cs"), program);
    }

    /// <inheritdoc />
    public void Dispose() => System.IO.Directory.Delete(Root, recursive: true);
}
