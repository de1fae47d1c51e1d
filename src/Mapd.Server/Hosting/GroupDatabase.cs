using System.Globalization;

namespace Mapd.Server.Hosting;

/// <summary>Resolves group names from <c>/etc/group</c> (enough for a daemon's own socket group).</summary>
public static class GroupDatabase
{
    /// <summary>The gid of <paramref name="group"/> (a name or a number), or null.</summary>
    public static uint? FindGid(string group, string path = "/etc/group")
    {
        if (uint.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        if (!File.Exists(path))
        {
            return null;
        }

        foreach (var line in File.ReadLines(path))
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == group && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
            {
                return gid;
            }
        }

        return null;
    }
}
