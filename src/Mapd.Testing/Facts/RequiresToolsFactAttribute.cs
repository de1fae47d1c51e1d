namespace Mapd.Testing;

/// <summary>
/// A fact that drives real tools (promtool, prometheus, protoc, python3-grpcio,
/// systemd-analyze ...). Skipped with the missing tools named when they are not installed,
/// unless MAPD_REQUIRE_ALL=1 (CI, after .ci/install-test-tools.sh), where it runs and fails.
/// </summary>
public sealed class RequiresToolsFactAttribute : FactAttribute
{
    /// <summary>Sets the skip reason when a tool is missing here.</summary>
    /// <param name="tools">Commands on PATH, absolute paths of files, or <c>py:MODULE</c> for a module of Debian's /usr/bin/python3.</param>
    public RequiresToolsFactAttribute(params string[] tools)
    {
        var missing = TestTools.Missing(tools);
        if (missing.Count > 0 && !TestEnvironment.RequireAll)
        {
            Skip = $"needs {string.Join(", ", missing)}: run .ci/install-test-tools.sh (CI requires it with MAPD_REQUIRE_ALL=1)";
        }
    }
}
