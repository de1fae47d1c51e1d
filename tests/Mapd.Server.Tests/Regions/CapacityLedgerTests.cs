using Mapd.Server.Errors;
using Mapd.Server.Regions;

namespace Mapd.Server.Tests.Regions;

public sealed class CapacityLedgerTests
{
    private const long MiB = 1 << 20;
    private static readonly RegionQuotas Quotas = new(new OwnerQuota(2, 10 * MiB), new OwnerQuota(100, 100 * MiB), DaemonUid: 990);

    [Fact]
    public void One_uid_at_its_quota_is_refused_while_another_uid_and_root_go_on()
    {
        var ledger = new CapacityLedger(100 * MiB, Quotas, new Space(1L << 40));
        ledger.Reserve(1000, 1, 4 * MiB, "create a");
        ledger.Reserve(1000, 1, 4 * MiB, "create b");

        var regions = Assert.Throws<RefusedException>(() => ledger.Reserve(1000, 1, MiB, "create c"));
        var bytes = Assert.Throws<RefusedException>(() => ledger.Reserve(1000, 0, 3 * MiB, "grow a"));
        ledger.Reserve(1001, 2, 10 * MiB, "create for another uid");
        ledger.Reserve(0, 50, 50 * MiB, "create for root");

        Assert.Equal(Refusal.ResourceExhausted, regions.Reason);
        Assert.Contains("uid 1000 already owns 2 regions (Mapd:Quota:Regions = 2)", regions.Message, StringComparison.Ordinal);
        Assert.Contains("(Mapd:Quota:Bytes = 10M)", bytes.Message, StringComparison.Ordinal);
        Assert.Equal((2, 8 * MiB), ledger.UsageOf(1000));
        Assert.Equal(68 * MiB, ledger.Reserved);
    }

    [Fact]
    public void Root_and_the_daemons_uid_have_the_privileged_quota()
    {
        var ledger = new CapacityLedger(1000 * MiB, Quotas, new Space(1L << 40));
        ledger.Reserve(990, 100, 100 * MiB, "fill the daemon's quota");

        var error = Assert.Throws<RefusedException>(() => ledger.Reserve(990, 1, 0, "one more"));

        Assert.Contains("Mapd:Quota:Privileged:Regions = 100", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Released_regions_and_bytes_count_again()
    {
        var ledger = new CapacityLedger(100 * MiB, Quotas, new Space(1L << 40));
        ledger.Reserve(1000, 2, 10 * MiB, "fill");

        ledger.Release(1000, 1, 5 * MiB);
        ledger.Reserve(1000, 1, 5 * MiB, "again");

        Assert.Equal((2, 10 * MiB), ledger.UsageOf(1000));
    }

    [Fact]
    public void A_grant_the_filesystem_could_not_back_besides_the_unfilled_grants_is_refused()
    {
        // 64 MiB free, 40 MiB granted of which 8 MiB filled: 32 MiB are promised, 32 MiB left,
        // and each region's metadata file takes pages of it too.
        var space = new Space(64 * MiB) { Filled = 8 * MiB };
        var ledger = new CapacityLedger(1000 * MiB, RegionQuotas.Unlimited, space);
        ledger.Restore(1000, 1, 40 * MiB);

        ledger.Reserve(1000, 1, (32 * MiB) - CapacityLedger.MetadataPages, "create what fits");
        var error = Assert.Throws<RefusedException>(() => ledger.Reserve(1000, 1, 4096, "create one page more"));

        Assert.Equal(Refusal.ResourceExhausted, error.Reason);
        Assert.Contains("promised to regions granted already", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, space.FilledReads);
    }

    [Fact]
    public void With_room_to_spare_the_filesystem_check_does_not_read_every_file()
    {
        var space = new Space(1L << 40);
        var ledger = new CapacityLedger(1000 * MiB, RegionQuotas.Unlimited, space);

        ledger.Reserve(1000, 1, 500 * MiB, "create");

        Assert.Equal(0, space.FilledReads);
    }

    private sealed class Space(long free) : IStorageSpace
    {
        public long Filled { get; init; }

        public int FilledReads { get; private set; }

        public long FreeBytes() => free;

        public long FilledBytes()
        {
            FilledReads++;
            return Filled;
        }
    }
}
