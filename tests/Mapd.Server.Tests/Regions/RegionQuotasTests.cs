using Mapd.Server.Errors;
using Mapd.Server.Regions;

namespace Mapd.Server.Tests.Regions;

public sealed class RegionQuotasTests
{
    private const long GiB = 1L << 30;

    [Fact]
    public void Unset_an_ordinary_uid_may_own_a_quarter_and_root_and_the_daemon_all()
    {
        var quotas = RegionQuotas.Plan(new QuotaOptions(), maxRegions: 4096, capacity: 8 * GiB, daemonUid: 999);

        Assert.Equal(new OwnerQuota(1024, 2 * GiB), quotas.For(1000));
        Assert.Equal(new OwnerQuota(4096, 8 * GiB), quotas.For(0));
        Assert.Equal(new OwnerQuota(4096, 8 * GiB), quotas.For(999));
        Assert.Equal("Mapd:Quota:", quotas.KeyFor(1000));
        Assert.Equal("Mapd:Quota:Privileged:", quotas.KeyFor(999));
    }

    [Fact]
    public void A_quarter_of_a_capacity_that_is_not_whole_pages_is_rounded_down_to_pages()
    {
        var quotas = RegionQuotas.Plan(new QuotaOptions(), maxRegions: 3, capacity: (10 * 4096) + 100, daemonUid: 999);

        Assert.Equal(new OwnerQuota(1, 2 * 4096), quotas.For(1000));
    }

    [Fact]
    public void Configured_quotas_are_taken_as_given()
    {
        var options = new QuotaOptions
        {
            Regions = 10,
            Bytes = "1G",
            Privileged = new PrivilegedQuotaOptions { Regions = 20, Bytes = "4G" },
        };

        var quotas = RegionQuotas.Plan(options, maxRegions: 4096, capacity: 8 * GiB, daemonUid: 999);

        Assert.Equal(new OwnerQuota(10, GiB), quotas.For(1000));
        Assert.Equal(new OwnerQuota(20, 4 * GiB), quotas.For(0));
    }

    [Theory]
    [InlineData(0, null, "Mapd:Quota:Regions is 0; it must be between 1 and Mapd:Limits:MaxRegions (4096)")]
    [InlineData(5000, null, "Mapd:Quota:Regions is 5000; it must be between 1 and Mapd:Limits:MaxRegions (4096)")]
    [InlineData(null, "16G", "Mapd:Quota:Bytes is 16G; it must be between 4K and the storage capacity (8G, Mapd:Storage:Size)")]
    [InlineData(null, "100", "Mapd:Quota:Bytes is 100; it must be between 4K and the storage capacity (8G, Mapd:Storage:Size)")]
    [InlineData(null, "lots", "Mapd:Quota:Bytes")]
    public void A_quota_outside_its_total_stops_the_start_with_one_line(int? regions, string? bytes, string message)
    {
        var options = new QuotaOptions { Regions = regions, Bytes = bytes };

        var error = Assert.Throws<StartupException>(() => RegionQuotas.Plan(options, maxRegions: 4096, capacity: 8 * GiB, daemonUid: 999));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCode.Configuration, error.ExitCode);
    }
}
