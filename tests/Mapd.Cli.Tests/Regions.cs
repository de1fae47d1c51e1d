namespace Mapd.Cli.Tests;

/// <summary>Region descriptions for rendering tests, with every field set to something distinguishable.</summary>
internal static class Regions
{
    public static readonly DateTimeOffset Created = new(2025, 11, 25, 22, 16, 3, 250, TimeSpan.Zero);

    public static RegionInfo Make(
        string name = "orders",
        long size = 64L << 20,
        ulong generation = 1,
        uint ownerUid = 1000,
        uint gid = 1001,
        uint mode = 0x1A0, // 0640
        long pendingSize = 0,
        int mappers = 0,
        DateTimeOffset? createdAt = null) =>
        new(name, size, generation, ownerUid, gid, mode, pendingSize, createdAt ?? Created, mappers);

    /// <summary>root and alice in both files, plus a comment and a malformed line that must be skipped.</summary>
    public static AccountNames Accounts() => new(
        passwd: "root:x:0:0:root:/root:/bin/bash\n# comment\nbroken line\nalice:x:1000:1000::/home/alice:/bin/sh\n",
        group: "root:x:0:\nalice:x:1000:\nstaff:x:1001:alice\n");
}
