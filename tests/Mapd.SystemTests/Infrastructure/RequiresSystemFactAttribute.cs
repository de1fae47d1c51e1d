namespace Mapd.SystemTests.Infrastructure;

/// <summary>
/// A system test that needs root and host tools (systemd-nspawn, debootstrap, podman ...).
/// Skipped with the reason where they are missing, which is the only place these tests may
/// skip; under MAPD_REQUIRE_ALL=1 (CI, after .ci/install-test-tools.sh) it runs and fails instead.
/// </summary>
public sealed class RequiresSystemFactAttribute : FactAttribute
{
    /// <summary>Sets the skip reason when the test cannot run here.</summary>
    public RequiresSystemFactAttribute(SystemNeed need) => Skip = SkipReason(need);

    /// <summary>Why tests with <paramref name="need"/> cannot run here; null when they can (or must, under MAPD_REQUIRE_ALL=1).</summary>
    public static string? SkipReason(SystemNeed need)
    {
        if (TestEnvironment.RequireAll)
        {
            return null;
        }

        if (!TestEnvironment.IsRoot)
        {
            return "needs root to boot a systemd-nspawn guest, mount tmpfs and run containers (CI runs it as root with MAPD_REQUIRE_ALL=1)";
        }

        var missing = TestTools.Missing(Tools(need));
        return missing.Count == 0 ? null : $"needs {string.Join(", ", missing)}: run .ci/install-test-tools.sh (CI requires it with MAPD_REQUIRE_ALL=1)";
    }

    private static string[] Tools(SystemNeed need) => need switch
    {
        SystemNeed.Guest => ["systemd-nspawn", "debootstrap", "nsenter", "dpkg-deb"],
        _ => ["podman", "runc", "debootstrap", "mount"],
    };
}
