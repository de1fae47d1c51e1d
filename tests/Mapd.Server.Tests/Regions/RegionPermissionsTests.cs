using Mapd.Server.Errors;
using Mapd.Server.Peers;
using Mapd.Server.Regions;
using Mapd.Server.Storage;

namespace Mapd.Server.Tests.Regions;

public sealed class RegionPermissionsTests
{
    private const uint DaemonUid = 990;
    private const uint Owner = 1000;
    private const uint OwnerGroup = 100;
    private const uint Member = 1001;
    private const uint Stranger = 1002;
    private readonly RegionPermissions _permissions = new(DaemonUid);

    [Theory]
    //       mode   caller    read   write
    [InlineData(0b110_000_000u, Owner, true, true)]
    [InlineData(0b110_000_000u, Member, false, false)]
    [InlineData(0b110_000_000u, Stranger, false, false)]
    [InlineData(0b100_000_000u, Owner, true, false)]
    [InlineData(0b110_100_000u, Member, true, false)]
    [InlineData(0b110_110_000u, Member, true, true)]
    [InlineData(0b110_110_000u, Stranger, false, false)]
    [InlineData(0b110_100_100u, Stranger, true, false)]
    [InlineData(0b110_110_110u, Stranger, true, true)]
    [InlineData(0b000_000_000u, Owner, false, false)]
    public void MayOpen_uses_the_owner_group_or_other_bits_of_the_callers_class(uint mode, uint caller, bool read, bool write)
    {
        var region = Region(mode);
        var identity = caller == Member ? Caller(Member, gid: OwnerGroup) : Caller(caller);

        Assert.Equal(read, _permissions.MayOpen(identity, region, writable: false));
        Assert.Equal(write, _permissions.MayOpen(identity, region, writable: true));
    }

    [Fact]
    public void The_owner_class_wins_even_when_the_group_or_other_bits_are_wider()
    {
        // As with files: the owner of a 0066 region is refused although group and others may write.
        var region = Region(0b000_110_110);
        var owner = Caller(Owner, gid: OwnerGroup);

        Assert.False(_permissions.MayOpen(owner, region, writable: false));
        Assert.True(_permissions.MayOpen(Caller(Stranger), region, writable: true));
    }

    [Fact]
    public void The_group_class_wins_over_other_bits_for_a_member()
    {
        var region = Region(0b110_000_110);

        Assert.False(_permissions.MayOpen(Caller(Member, gid: OwnerGroup), region, writable: false));
        Assert.True(_permissions.MayOpen(Caller(Stranger), region, writable: false));
    }

    [Fact]
    public void A_supplementary_group_puts_the_caller_in_the_group_class()
    {
        var region = Region(0b110_100_000);
        var member = Caller(Member, gid: 5, groups: [7, OwnerGroup, 9]);
        var outsider = Caller(Member, gid: 5, groups: [7, 9]);

        Assert.True(_permissions.MayOpen(member, region, writable: false));
        Assert.False(_permissions.MayOpen(outsider, region, writable: false));
    }

    [Fact]
    public void Read_write_needs_read_as_well_as_write_like_opening_a_file_O_RDWR()
    {
        var writeOnly = Region(0b010_000_000);

        Assert.False(_permissions.MayOpen(Caller(Owner), writeOnly, writable: true));
        Assert.False(_permissions.MayOpen(Caller(Owner), writeOnly, writable: false));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(DaemonUid)]
    public void Root_and_the_daemon_uid_may_open_and_change_anything(uint uid)
    {
        var region = Region(0b000_000_000);
        var superuser = Caller(uid);

        Assert.True(_permissions.MayOpen(superuser, region, writable: false));
        Assert.True(_permissions.MayOpen(superuser, region, writable: true));
        Assert.True(_permissions.MayChange(superuser, region));
    }

    [Fact]
    public void Another_daemons_uid_is_not_a_superuser_here()
    {
        var permissions = new RegionPermissions(DaemonUid + 1);

        Assert.False(permissions.MayOpen(Caller(DaemonUid), Region(0b110_000_000), writable: false));
        Assert.False(permissions.MayChange(Caller(DaemonUid), Region(0b110_000_000)));
    }

    [Fact]
    public void MayChange_is_for_the_owner_and_superusers_only_whatever_the_mode()
    {
        var openToAll = Region(0b111_111_111);

        Assert.True(_permissions.MayChange(Caller(Owner), openToAll));
        Assert.True(_permissions.MayChange(Caller(Owner), Region(0)));
        Assert.False(_permissions.MayChange(Caller(Member, gid: OwnerGroup), openToAll));
        Assert.False(_permissions.MayChange(Caller(Stranger), openToAll));
    }

    [Fact]
    public void Group_id_alone_does_not_make_the_owner()
    {
        // A caller whose primary gid equals the owner's uid number is still not the owner.
        var region = Region(0b110_000_000);

        Assert.False(_permissions.MayOpen(Caller(Stranger, gid: Owner), region, writable: false));
        Assert.False(_permissions.MayChange(Caller(Stranger, gid: Owner), region));
    }

    private static RegionRecord Region(uint mode) =>
        new("r", 4096, 1, Owner, OwnerGroup, mode, 0, DateTimeOffset.UnixEpoch);

    private static CallerIdentity Caller(uint uid, uint? gid = null, uint[]? groups = null) =>
        new(4242, uid, gid ?? 60000, groups ?? []);
}
