using Mapd.Native;
using Mapd.Server.Errors;
using Mapd.Server.Storage;

namespace Mapd.Server.Tests.Storage;

public sealed class DescriptorBudgetTests
{
    [Fact]
    public void With_a_roomy_limit_the_defaults_hold_and_the_cache_gets_its_cap()
    {
        var budget = DescriptorBudget.Plan(new OpenFileLimit(20_000, 20_000), null, null, 1024);

        Assert.Equal(DescriptorBudget.DefaultMaxSessions, budget.MaxSessions);
        Assert.Equal(DescriptorBudget.DefaultMaxConnections, budget.MaxConnections);
        Assert.Equal(1024, budget.CachedDescriptors);
        Assert.True(budget.Total <= 20_000);
    }

    [Fact]
    public void With_a_small_limit_defaults_shrink_to_fit()
    {
        var budget = DescriptorBudget.Plan(new OpenFileLimit(1024, 1024), null, null, 1024);

        Assert.True(budget.Total <= 1024, $"plan of {budget.Total} descriptors for a limit of 1024");
        Assert.True(budget.MaxSessions >= 1 && budget.MaxConnections >= 1);
        Assert.Equal(DescriptorBudget.MinimumCache, budget.CachedDescriptors);
    }

    [Fact]
    public void A_configured_limit_keeps_its_value_and_defaults_give_way_to_it()
    {
        var budget = DescriptorBudget.Plan(new OpenFileLimit(2048, 2048), 1500, null, 64);

        Assert.Equal(1500, budget.MaxSessions);
        Assert.True(budget.Total <= 2048);
        Assert.True(budget.MaxConnections >= 1);
    }

    [Fact]
    public void Configured_limits_that_cannot_fit_stop_the_start_with_one_line_naming_the_keys()
    {
        var error = Assert.Throws<StartupException>(() => DescriptorBudget.Plan(new OpenFileLimit(1024, 4096), 4096, 4096, 1024));

        Assert.Contains("RLIMIT_NOFILE", error.Message, StringComparison.Ordinal);
        Assert.Contains("Mapd:Limits:MaxSessions=4096", error.Message, StringComparison.Ordinal);
        Assert.Contains("LimitNOFILE=", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Without_CAP_SYS_RESOURCE_sessions_shrink_so_their_unread_descriptors_fit_in_the_limit()
    {
        // 65536 (systemd's LimitNOFILE) / 64 unread each: clients that never read cannot push the
        // daemon's descriptors in flight past RLIMIT_NOFILE, where every open would fail.
        var budget = DescriptorBudget.Plan(new OpenFileLimit(65_536, 65_536), null, null, 1024, maxUnreadFds: 64, inFlightLimited: true);
        var exempt = DescriptorBudget.Plan(new OpenFileLimit(65_536, 65_536), null, null, 1024, maxUnreadFds: 64, inFlightLimited: false);

        Assert.Equal(1024, budget.MaxSessions);
        Assert.True((long)budget.MaxSessions * 64 <= 65_536);
        Assert.Equal(DescriptorBudget.DefaultMaxSessions, exempt.MaxSessions);
    }

    [Fact]
    public void Configured_sessions_whose_unread_descriptors_cannot_be_in_flight_stop_the_start()
    {
        var error = Assert.Throws<StartupException>(() => DescriptorBudget.Plan(new OpenFileLimit(65_536, 65_536), 4096, null, 1024, maxUnreadFds: 64, inFlightLimited: true));

        Assert.Contains("Mapd:Limits:MaxSessions=4096 x MaxUnreadFds=64", error.Message, StringComparison.Ordinal);
        Assert.Contains("ETOOMANYREFS", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void The_budget_includes_the_slots_for_answering_refused_connections()
    {
        var budget = DescriptorBudget.Plan(new OpenFileLimit(20_000, 20_000), 100, 100, 64);

        Assert.Equal(DescriptorBudget.Overhead + (2 * DescriptorBudget.RefusalSlots) + 100 + 100 + 64, budget.Total);
    }

    [Theory]
    [InlineData(0, null, 1024)]
    [InlineData(null, 0, 1024)]
    [InlineData(null, null, 3)]
    public void Nonsense_limits_are_refused(int? sessions, int? connections, int cached) =>
        Assert.Throws<StartupException>(() => DescriptorBudget.Plan(new OpenFileLimit(20_000, 20_000), sessions, connections, cached));
}
