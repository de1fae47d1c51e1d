using Mapd.Native;
using Mapd.Server.Errors;
using Mapd.Server.Quotas;
using Mapd.Server.Storage;

namespace Mapd.Server.Tests.Quotas;

public sealed class PeerQuotasTests
{
    private static readonly DescriptorBudget Budget = DescriptorBudget.Plan(new OpenFileLimit(20_000, 20_000), null, null, 1024);

    [Fact]
    public void Unset_quotas_are_a_quarter_of_each_total_for_ordinary_and_privileged_uids()
    {
        var quotas = PeerQuotas.Plan(new MapdOptions(), Budget, 990);

        Assert.Equal(Budget.MaxSessions, quotas.Sessions.Limits.Total);
        Assert.Equal(Budget.MaxSessions / 4, quotas.Sessions.Limits.PerUid);
        Assert.Equal(Budget.MaxSessions / 4, quotas.Sessions.Limits.Privileged);
        Assert.Equal(Budget.MaxConnections / 4, quotas.Connections.Limits.PerUid);
        Assert.Equal(2 * Budget.MaxSessions, quotas.Watches.Limits.Total);
        Assert.Equal(Budget.MaxSessions / 2, quotas.Watches.Limits.PerUid);
        Assert.Equal("Mapd:Quota:Watches", quotas.Watches.Limits.PerUidKey);
        Assert.Equal("Mapd:Quota:Privileged:Connections", quotas.Connections.Limits.PrivilegedKey);
        Assert.Equal("Mapd:Limits:MaxConnections", quotas.Connections.Limits.TotalKey);
    }

    [Fact]
    public void A_small_budget_gives_small_quotas_so_no_uid_comes_near_the_descriptor_limit()
    {
        var small = DescriptorBudget.Plan(new OpenFileLimit(4096, 4096), null, null, 1024);

        var quotas = PeerQuotas.Plan(new MapdOptions(), small, 990);

        Assert.True(quotas.Connections.Limits.PerUid * 4 <= small.MaxConnections);
        Assert.True(quotas.Sessions.Limits.PerUid * 4 <= small.MaxSessions);
    }

    [Fact]
    public void Configured_quotas_and_totals_are_taken_as_they_are()
    {
        var options = new MapdOptions
        {
            Limits = { MaxWatches = 100 },
            Quota = { Sessions = 7, Connections = 9, Watches = 11, Privileged = { Sessions = 70, Watches = 50 } },
        };

        var quotas = PeerQuotas.Plan(options, Budget, 990);

        Assert.Equal(7, quotas.Sessions.Limits.PerUid);
        Assert.Equal(70, quotas.Sessions.Limits.Privileged);
        Assert.Equal(9, quotas.Connections.Limits.PerUid);
        Assert.Equal(100, quotas.Watches.Limits.Total);
        Assert.Equal(11, quotas.Watches.Limits.PerUid);
        Assert.Equal(50, quotas.Watches.Limits.Privileged);
    }

    [Fact]
    public void Root_and_the_daemons_uid_are_privileged_and_nobody_else()
    {
        var options = new MapdOptions { Quota = { Watches = 1, Privileged = { Watches = 2 } } };
        var watches = PeerQuotas.Plan(options, Budget, 990).Watches;

        var taken = new[] { 0u, 0u, 990u, 990u, 1000u }.Select(uid => watches.TryTake(uid, out _)).ToList();

        Assert.All(taken, Assert.NotNull);
        Assert.Null(watches.TryTake(0, out _));
        Assert.Null(watches.TryTake(990, out _));
        Assert.Null(watches.TryTake(1000, out _));
    }

    [Theory]
    [InlineData(0, null, "Mapd:Quota:Sessions is 0")]
    [InlineData(100_000, null, "Mapd:Quota:Sessions is 100000; it must be between 1 and Mapd:Limits:MaxSessions")]
    [InlineData(null, -1, "Mapd:Quota:Privileged:Sessions is -1")]
    public void A_quota_below_1_or_above_its_total_stops_the_start_with_one_line(int? sessions, int? privileged, string reason)
    {
        var options = new MapdOptions { Quota = { Sessions = sessions, Privileged = { Sessions = privileged } } };

        var error = Assert.Throws<StartupException>(() => PeerQuotas.Plan(options, Budget, 990));

        Assert.StartsWith(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
