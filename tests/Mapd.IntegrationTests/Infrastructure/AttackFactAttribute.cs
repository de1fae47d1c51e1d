namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>
/// A fact that runs attacker processes as other uids: it needs root (setpriv, prlimit) and
/// Debian's python3. Skipped with the reason when either is missing here, unless
/// MAPD_REQUIRE_ALL=1 (CI), where it runs and fails rather than hide.
/// </summary>
public sealed class AttackFactAttribute : FactAttribute
{
    /// <summary>Sets the skip reason when the attack cannot run here.</summary>
    public AttackFactAttribute(params string[] moreTools)
    {
        var missing = TestTools.Missing([Attacker.Python, "setpriv", "prlimit", .. moreTools]);
        if (TestEnvironment.RequireAll)
        {
            return;
        }

        if (!TestEnvironment.IsRoot)
        {
            Skip = "needs root: runs attackers as other uids (CI runs it as root with MAPD_REQUIRE_ALL=1)";
        }
        else if (missing.Count > 0)
        {
            Skip = $"needs {string.Join(", ", missing)}: run .ci/install-test-tools.sh (CI requires it with MAPD_REQUIRE_ALL=1)";
        }
    }
}
