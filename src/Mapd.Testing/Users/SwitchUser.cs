namespace Mapd.Testing;

/// <summary>setpriv arguments that run a command as another user.</summary>
public static class SwitchUser
{
    /// <summary>The unprivileged user the tests switch to.</summary>
    public const string Nobody = "65534";

    /// <summary>Arguments for <c>setpriv</c>: <c>uid</c> or <c>uid:supplementary-gid</c>.</summary>
    public static IEnumerable<string> Arguments(string user)
    {
        var parts = user.Split(':');
        yield return $"--reuid={parts[0]}";
        yield return $"--regid={parts[0]}";
        if (parts.Length > 1)
        {
            yield return $"--groups={parts[1]}";
        }
        else
        {
            yield return "--clear-groups";
        }
    }
}
