using System.Globalization;

namespace Mapd.Cli.Output;

/// <summary>
/// User and group names for the uids and gids the daemon reports, read from <c>/etc/passwd</c>
/// and <c>/etc/group</c>. Ids found there nowhere (NSS-only accounts, other containers) print as
/// numbers, like <c>ls -l</c> does.
/// </summary>
internal sealed class AccountNames
{
    private readonly Dictionary<uint, string> _users;
    private readonly Dictionary<uint, string> _groups;

    /// <summary>Creates the lookup from the two files' contents.</summary>
    public AccountNames(string passwd, string group)
    {
        _users = ParseDatabase(passwd);
        _groups = ParseDatabase(group);
    }

    /// <summary>Reads this machine's account files; a missing or unreadable file gives numbers only.</summary>
    public static AccountNames Load() => new(ReadOrEmpty("/etc/passwd"), ReadOrEmpty("/etc/group"));

    /// <summary>The user name of <paramref name="uid"/>, else the number.</summary>
    public string User(uint uid) => _users.TryGetValue(uid, out var name) ? name : uid.ToString(CultureInfo.InvariantCulture);

    /// <summary>The group name of <paramref name="gid"/>, else the number.</summary>
    public string Group(uint gid) => _groups.TryGetValue(gid, out var name) ? name : gid.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Both files start each line with <c>name:password:id:</c>. When two names share an id the
    /// first wins, as getpwuid(3) answers.
    /// </summary>
    private static Dictionary<uint, string> ParseDatabase(string text)
    {
        var names = new Dictionary<uint, string>();
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split(':', 4);
            if (fields.Length >= 3
                && fields[0].Length > 0
                && !fields[0].StartsWith('#')
                && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                names.TryAdd(id, fields[0]);
            }
        }

        return names;
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
