namespace Mapd.Testing;

/// <summary>
/// A fact that needs root (to switch uids or mount). Skipped with its reason when not root,
/// unless MAPD_REQUIRE_ALL=1, where it runs and fails rather than hide.
/// </summary>
public sealed class RequiresRootFactAttribute : FactAttribute
{
    /// <summary>Sets the skip reason when the test cannot run here.</summary>
    public RequiresRootFactAttribute(string why)
    {
        if (!TestEnvironment.IsRoot && !TestEnvironment.RequireAll)
        {
            Skip = $"needs root: {why} (CI runs it as root with MAPD_REQUIRE_ALL=1)";
        }
    }
}
