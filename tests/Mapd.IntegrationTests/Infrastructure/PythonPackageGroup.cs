namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>The tests that use the Python package: one collection, so they share one build of it.</summary>
[CollectionDefinition(Name)]
public sealed class PythonPackageGroup : ICollectionFixture<PythonPackage>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Python package";
}
