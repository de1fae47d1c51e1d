using Mapd.Server.Errors;
using Mapd.Server.Peers;
using Mapd.Server.Regions;
using Mapd.Server.Storage;

namespace Mapd.Server.Tests.Peers;

public sealed class CallerIdentityTests
{
    [Fact]
    public void InGroup_counts_the_primary_and_every_supplementary_group()
    {
        var caller = new CallerIdentity(1, 1000, 100, [200, 300]);

        Assert.True(caller.InGroup(100));
        Assert.True(caller.InGroup(200));
        Assert.True(caller.InGroup(300));
        Assert.False(caller.InGroup(400));
        Assert.False(caller.InGroup(1000));
    }
}
