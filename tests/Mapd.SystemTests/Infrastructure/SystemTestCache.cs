using System.Security.Cryptography;
using System.Text;

namespace Mapd.SystemTests.Infrastructure;

/// <summary>
/// What the system tests keep between runs, outside the repository (default
/// <c>/var/cache/mapd-systemtest</c>, or <c>MAPD_SYSTEMTEST_CACHE</c>): the Debian root, build
/// outputs per checkout, and the lock files that keep two runs from building one thing at once.
/// With it warm, a rerun boots its guest in seconds instead of bootstrapping Debian again.
/// </summary>
public static class SystemTestCache
{
    /// <summary>The cache directory.</summary>
    public static string Root { get; } =
        Environment.GetEnvironmentVariable("MAPD_SYSTEMTEST_CACHE") is { Length: > 0 } configured ? configured : "/var/cache/mapd-systemtest";

    /// <summary>
    /// A directory of this checkout's own (build outputs are only valid for the sources they
    /// came from; two worktrees must not share them).
    /// </summary>
    public static string ForCheckout(string name)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(TestEnvironment.RepositoryRoot)))[..16];
        var path = Path.Join(Root, "checkouts", key, name);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Holds the lock named <paramref name="name"/> until disposed, waiting up to <paramref name="timeout"/> for it.</summary>
    public static async Task<IDisposable> LockAsync(string name, TimeSpan timeout)
    {
        Directory.CreateDirectory(Path.Join(Root, "locks"));
        var path = Path.Join(Root, "locks", name + ".lock");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                // FileShare.None takes flock(LOCK_EX) on Linux: another process's run waits here.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        }
    }
}
