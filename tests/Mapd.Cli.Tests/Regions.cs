namespace Mapd.Cli.Tests;

/// <summary>Region descriptions for rendering tests, with every field set to something distinguishable.</summary>
internal static class Regions
{
    public static readonly DateTimeOffset Created = new(2025, 11, 25, 22, 16, 3, 250, TimeSpan.Zero);

    /// <summary>"Now" for ages: 5 minutes and 12.75 seconds after <see cref="Created"/>.</summary>
    public static readonly DateTimeOffset Now = Created + TimeSpan.FromSeconds(312.75);

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

    /// <summary>
    /// A 128M region shrinking to 32M at generation 3 for 12.34 s: alice's pid 4242 has released it,
    /// root's pid 77 (mapping it since before) blocks it. Max size 1G.
    /// </summary>
    public static RegionStatus Shrinking() => new(
        Make("orders", size: 128L << 20, generation: 3, pendingSize: 32L << 20, mappers: 2),
        MaxSize: 1L << 30,
        MapperDetails:
        [
            new MapperStatus(4242, 1000, 3, Created + TimeSpan.FromSeconds(60), Blocking: false),
            new MapperStatus(77, 0, 2, Created + TimeSpan.FromSeconds(1.5), Blocking: true),
        ],
        PendingShrink: new PendingShrinkStatus(3, Now - TimeSpan.FromSeconds(12.34), HolePunched: false, Recovering: true));

    /// <summary>A region nobody maps, with no hint and no shrink.</summary>
    public static RegionStatus Idle(RegionInfo? region = null) => new(region ?? Make(), 0, [], null);

    public static SessionSummary Session(string id = "3f2a9c01", int pid = 4242, uint uid = 1000, string[]? regions = null, DateTimeOffset? since = null, int unread = 0) =>
        new(id, pid, uid, regions ?? ["orders"], since ?? Created, unread);

    /// <summary>A healthy daemon up for 3 days, 4 hours and 5 minutes at <see cref="Now"/>, with 64M of 8G used.</summary>
    public static DaemonStatus Daemon(string health = "Healthy", string detail = "") => new(
        "1.2.0+abc1234",
        Now - new TimeSpan(3, 4, 5, 0),
        8UL << 30,
        64UL << 20,
        Regions: 3,
        Sessions: 2,
        PendingShrinks: 1,
        health,
        detail,
        "/run/mapd/storage");

    /// <summary>root and alice in both files, plus a comment and a malformed line that must be skipped.</summary>
    public static AccountNames Accounts() => new(
        passwd: "root:x:0:0:root:/root:/bin/bash\n# comment\nbroken line\nalice:x:1000:1000::/home/alice:/bin/sh\n",
        group: "root:x:0:\nalice:x:1000:\nstaff:x:1001:alice\n");
}
