using Mapd.IntegrationTests.Infrastructure;
using Status = Mapd.IntegrationTests.Infrastructure.Status;

namespace Mapd.IntegrationTests;

/// <summary>
/// Regions have file-like permissions, checked against the kernel's word on who the caller
/// is: the test switches client processes to uid 65534 with setpriv.
/// </summary>
public sealed class PermissionTests(SharedDaemon shared) : IClassFixture<SharedDaemon>
{
    private const string Nobody = SwitchUser.Nobody;
    private const string NobodyInRootGroup = SwitchUser.Nobody + ":0";

    private MapdDaemon Daemon => shared.Daemon;

    [RequiresRootFact("switches a client to uid 65534 with setpriv")]
    public async Task Another_uid_is_denied_a_0600_region()
    {
        var name = await CreateAsRootAsync("0600");
        var answer = await ClientProcess.RunAsync(Daemon, Nobody, "open", name, "ro");
        Assert.StartsWith("error PermissionDenied", answer);
        Assert.Contains("mode 0600", answer);
    }

    [RequiresRootFact("switches a client to uid 65534 with setpriv")]
    public async Task Read_permission_allows_read_only_but_not_read_write()
    {
        var name = await CreateAsRootAsync("0604");
        Assert.Equal("ok verified 65536", await ClientProcess.RunAsync(Daemon, Nobody, "verify", name, "5"));
        Assert.StartsWith("error PermissionDenied", await ClientProcess.RunAsync(Daemon, Nobody, "open", name, "rw"));
    }

    [RequiresRootFact("switches a client to uid 65534 with setpriv")]
    public async Task Write_permission_allows_read_write_and_the_owner_sees_the_writes()
    {
        var name = await CreateAsRootAsync("0606");
        Assert.Equal("ok wrote 65536", await ClientProcess.RunAsync(Daemon, Nobody, "write", name, "6"));
        Assert.Equal("ok verified 65536", await ClientProcess.RunAsync(Daemon, null, "verify", name, "6"));
    }

    [RequiresRootFact("switches a client to uid 65534 with setpriv")]
    public async Task Group_bits_apply_to_members_of_the_region_group_only()
    {
        var name = await CreateAsRootAsync("0640");
        Assert.Equal("ok verified 65536", await ClientProcess.RunAsync(Daemon, NobodyInRootGroup, "verify", name, "5"));
        Assert.StartsWith("error PermissionDenied", await ClientProcess.RunAsync(Daemon, NobodyInRootGroup, "open", name, "rw"));
        Assert.StartsWith("error PermissionDenied", await ClientProcess.RunAsync(Daemon, Nobody, "open", name, "ro"));
    }

    [RequiresRootFact("switches a client to uid 65534 with setpriv")]
    public async Task Only_the_owner_or_root_may_delete()
    {
        var name = await CreateAsRootAsync("0666");
        Assert.StartsWith("error PermissionDenied", await ClientProcess.RunAsync(Daemon, Nobody, "delete", name));

        var own = Status.UniqueName("nobodys");
        Assert.Equal("ok created owner 65534 gid 65534", await ClientProcess.RunAsync(Daemon, Nobody, "create", own, "4096"));
        Assert.Equal("ok deleted", await ClientProcess.RunAsync(Daemon, null, "delete", own));
        Assert.Equal("ok deleted", await ClientProcess.RunAsync(Daemon, null, "delete", name));
    }

    private async Task<string> CreateAsRootAsync(string mode)
    {
        var name = Status.UniqueName("perm");
        Assert.Equal("ok wrote 65536", await ClientProcess.RunAsync(Daemon, null, "create-write", name, "65536", "5", mode));
        return name;
    }
}
