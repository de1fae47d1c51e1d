using Mapd.Server.Errors;
using Mapd.Server.Quotas;

namespace Mapd.Server.Tests.Quotas;

public sealed class PeerQuotaTests
{
    private const uint Daemon = 990;
    private const uint Alice = 1000;
    private const uint Bob = 1001;

    // Total 10; ordinary uids 4 each; root and the daemon's uid 3 each, kept back from the others.
    private static readonly QuotaLimits Limits = new(
        "sessions", "sessions on mapd-fd.sock", 10, "Mapd:Limits:MaxSessions", 4, "Mapd:Quota:Sessions", 3, "Mapd:Quota:Privileged:Sessions");

    private readonly PeerQuota _quota = new(Limits, uid => uid is 0 or Daemon);

    [Fact]
    public void A_uid_at_its_quota_is_refused_and_another_uid_is_not()
    {
        var alice = TakeAll(Alice, 4);

        var refused = _quota.TryTake(Alice, out var reason);
        var bob = _quota.TryTake(Bob, out _);

        Assert.Null(refused);
        Assert.NotNull(bob);
        Assert.Equal("uid 1000 already holds 4 sessions on mapd-fd.sock, its quota (Mapd:Quota:Sessions = 4); end some of them, or ask the operator to raise Mapd:Quota:Sessions", reason);
        Assert.Equal(4, _quota.CountOf(Alice));
        Assert.Equal(5, _quota.Count);
        Dispose(alice);
    }

    [Fact]
    public void Ending_one_gives_the_uid_room_for_one_more()
    {
        var alice = TakeAll(Alice, 4);

        alice[0].Dispose();
        alice[0].Dispose();
        var again = _quota.TryTake(Alice, out _);
        var beyond = _quota.TryTake(Alice, out _);

        Assert.NotNull(again);
        Assert.Null(beyond);
        Assert.Equal(4, _quota.CountOf(Alice));
    }

    [Fact]
    public void Ordinary_uids_together_leave_the_privileged_share_to_root_and_the_daemon()
    {
        // 7 of 10 are all ordinary uids may hold together.
        var held = TakeAll(Alice, 4).Concat(TakeAll(Bob, 3)).ToList();

        var carol = _quota.TryTake(1002, out var reason);
        var root = TakeAll(0, 3);

        Assert.Null(carol);
        Assert.Contains("users other than root and mapd's own already hold 7 sessions on mapd-fd.sock", reason, StringComparison.Ordinal);
        Assert.Contains("Mapd:Quota:Privileged:Sessions", reason, StringComparison.Ordinal);
        Assert.Equal(10, _quota.Count);
        Dispose(held);
        Dispose(root);
    }

    [Fact]
    public void Root_has_its_own_quota_and_the_daemons_uid_too()
    {
        var root = TakeAll(0, 3);

        var fourth = _quota.TryTake(0, out var reason);
        var daemon = _quota.TryTake(Daemon, out _);

        Assert.Null(fourth);
        Assert.Contains("its quota (Mapd:Quota:Privileged:Sessions = 3)", reason, StringComparison.Ordinal);
        Assert.NotNull(daemon);
        Dispose(root);
    }

    [Fact]
    public void The_total_stops_everyone_and_says_which_key_sets_it()
    {
        var held = TakeAll(Alice, 4).Concat(TakeAll(Bob, 3)).Concat(TakeAll(0, 3)).ToList();

        var daemon = _quota.TryTake(Daemon, out var reason);

        Assert.Null(daemon);
        Assert.Equal("mapd already holds 10 sessions on mapd-fd.sock, its limit (Mapd:Limits:MaxSessions = 10); retry later, or ask the operator to raise Mapd:Limits:MaxSessions", reason);
        Dispose(held);
        Assert.Equal(0, _quota.Count);
    }

    [Fact]
    public void Take_throws_RESOURCE_EXHAUSTED_with_the_reason()
    {
        TakeAll(Alice, 4);

        var error = Assert.Throws<RefusedException>(() => _quota.Take(Alice));

        Assert.Equal(Refusal.ResourceExhausted, error.Reason);
        Assert.Contains("Mapd:Quota:Sessions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_reserve_never_keeps_one_ordinary_uid_below_its_quota()
    {
        var tight = new QuotaLimits("watches", "Watch streams", 4, "Mapd:Limits:MaxWatches", 3, "Mapd:Quota:Watches", 3, "Mapd:Quota:Privileged:Watches");
        var quota = new PeerQuota(tight, uid => uid == 0);

        var alice = Enumerable.Range(0, 3).Select(_ => quota.TryTake(Alice, out string _)).ToList();

        Assert.All(alice, Assert.NotNull);
        Assert.Equal(1, tight.Reserve);
        Assert.Null(quota.TryTake(Bob, out _));
        Assert.NotNull(quota.TryTake(0, out _));
    }

    private List<QuotaLease> TakeAll(uint uid, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => _quota.TryTake(uid, out var reason) ?? throw new InvalidOperationException(reason))];

    private static void Dispose(IEnumerable<QuotaLease> leases)
    {
        foreach (var lease in leases)
        {
            lease.Dispose();
        }
    }
}
