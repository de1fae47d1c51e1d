namespace Mapd.Native.Tests;

/// <summary>
/// A fact that needs root (to mount or chown). Skipped with its reason when not root, unless
/// MAPD_REQUIRE_ALL=1, where it runs and fails rather than hide.
/// </summary>
public sealed class RequiresRootFactAttribute : FactAttribute
{
    public RequiresRootFactAttribute(string why)
    {
        if (ProcessIdentity.Uid != 0 && Environment.GetEnvironmentVariable("MAPD_REQUIRE_ALL") != "1")
        {
            Skip = $"needs root: {why} (CI runs it as root with MAPD_REQUIRE_ALL=1)";
        }
    }
}
