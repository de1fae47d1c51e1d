namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>
/// Tests that load the whole machine (tens of thousands of connections) run alone, so they
/// neither starve the other tests nor are starved by them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExclusiveGroup
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Exclusive";
}
