using Mapd.Client.Internal;

namespace Mapd.Client.Tests.Internal;

public sealed class MappingViewTests : IDisposable
{
    private readonly ScratchFile _file = new(64 << 10);

    public void Dispose() => _file.Dispose();

    [Fact]
    public void A_view_reports_the_owners_address_and_its_own_length_and_generation()
    {
        var owner = new MappingOwner(_file.Map());

        var view = new MappingView(owner, 4096, 7);

        Assert.Equal(owner.Mapping.Address, view.Address);
        Assert.Equal(4096, view.Length);
        Assert.Equal(7UL, view.Generation);
        view.Retire();
    }

    [Fact]
    public void Retire_with_no_leases_unmaps_at_once()
    {
        var owner = new MappingOwner(_file.Map());
        var view = new MappingView(owner, _file.Length, 1);

        view.Retire();

        Assert.True(owner.Mapping.IsClosed);
        Assert.True(view.Drained.IsCompletedSuccessfully);
    }

    [Fact]
    public void Retire_with_an_outstanding_lease_keeps_the_mapping_until_that_lease_exits()
    {
        var owner = new MappingOwner(_file.Map());
        var view = new MappingView(owner, _file.Length, 1);
        var slot = view.TryEnter();

        view.Retire();
        var closedWhileLeased = owner.Mapping.IsClosed;
        var drainedWhileLeased = view.Drained.IsCompleted;
        Touch(view.Address, 0); // Still mapped: this must not fault.
        view.Exit(slot);

        Assert.True(slot >= 0);
        Assert.False(closedWhileLeased);
        Assert.False(drainedWhileLeased);
        Assert.True(owner.Mapping.IsClosed);
        Assert.True(view.Drained.IsCompletedSuccessfully);
    }

    [Fact]
    public void The_mapping_stays_until_the_last_of_several_leases_exits()
    {
        var owner = new MappingOwner(_file.Map());
        var view = new MappingView(owner, _file.Length, 1);
        var first = view.TryEnter();
        var second = view.TryEnter();
        view.Retire();

        view.Exit(second);
        var closedAfterOne = owner.Mapping.IsClosed;
        view.Exit(first);

        Assert.False(closedAfterOne);
        Assert.True(owner.Mapping.IsClosed);
    }

    [Fact]
    public void TryEnter_after_Retire_returns_minus_one()
    {
        var owner = new MappingOwner(_file.Map());
        var view = new MappingView(owner, _file.Length, 1);
        view.Retire();

        Assert.Equal(-1, view.TryEnter());
        Assert.Equal(-1, view.TryEnter());
    }

    [Fact]
    public void A_turned_away_TryEnter_does_not_count_as_a_lease()
    {
        var owner = new MappingOwner(_file.Map());
        var view = new MappingView(owner, _file.Length, 1);
        var held = view.TryEnter();
        view.Retire();

        var refused = view.TryEnter();
        var closedAfterRefusal = owner.Mapping.IsClosed;
        view.Exit(held);

        Assert.Equal(-1, refused);
        Assert.False(closedAfterRefusal);
        Assert.True(owner.Mapping.IsClosed);
    }

    [Fact]
    public void Retire_twice_is_harmless()
    {
        var owner = new MappingOwner(_file.Map());
        var other = new MappingView(owner, _file.Length, 2);
        var view = new MappingView(owner, _file.Length, 1);

        view.Retire();
        view.Retire();

        // A second release of the same view would have dropped the other view's hold too.
        Assert.False(owner.Mapping.IsClosed);
        other.Retire();
        Assert.True(owner.Mapping.IsClosed);
    }

    [Fact]
    public void Views_sharing_a_mapping_unmap_it_only_when_the_last_one_drains()
    {
        // A mapping that grew in place serves an old and a new generation at once.
        var owner = new MappingOwner(_file.Map());
        var old = new MappingView(owner, 4096, 1);
        var slot = old.TryEnter();
        var current = new MappingView(owner, _file.Length, 2);

        old.Retire();
        current.Retire();
        var closedWhileOldLeased = owner.Mapping.IsClosed;
        old.Exit(slot);

        Assert.False(closedWhileOldLeased);
        Assert.True(current.Drained.IsCompletedSuccessfully);
        Assert.True(old.Drained.IsCompletedSuccessfully);
        Assert.True(owner.Mapping.IsClosed);
    }

    [Fact]
    public async Task Under_concurrent_leases_and_retirement_the_mapping_is_released_once_and_never_under_a_lease()
    {
        const int Rounds = 100;
        const int Readers = 4;
        var violations = 0;
        for (var round = 0; round < Rounds; round++)
        {
            // The owner also serves a second view: a view released twice would unmap under it.
            var owner = new MappingOwner(_file.Map());
            var view = new MappingView(owner, _file.Length, 1);
            var successor = new MappingView(owner, _file.Length, 2);
            var leases = 0L;
            using var go = new Barrier(Readers + 1);
            var readers = Enumerable.Range(0, Readers).Select(r => Task.Factory.StartNew(
                () =>
                {
                    go.SignalAndWait();
                    var offset = r * 4096;
                    while (true)
                    {
                        var slot = view.TryEnter();
                        if (slot < 0)
                        {
                            return;
                        }

                        // Inside a lease: the mapping must be there, and touching it must work.
                        if (owner.Mapping.IsClosed)
                        {
                            Interlocked.Increment(ref violations);
                        }

                        Touch(view.Address, offset);
                        Interlocked.Increment(ref leases);
                        if (owner.Mapping.IsClosed)
                        {
                            Interlocked.Increment(ref violations);
                        }

                        view.Exit(slot);
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default)).ToList();

            go.SignalAndWait();
            while (Interlocked.Read(ref leases) < 500 * (round % 5))
            {
                Thread.SpinWait(10);
            }

            view.Retire();
            await Task.WhenAll(readers);
            await view.Drained.WaitAsync(TimeSpan.FromMinutes(1));

            Assert.False(owner.Mapping.IsClosed, $"round {round}: the shared mapping was unmapped although the successor view still holds it");
            successor.Retire();
            Assert.True(owner.Mapping.IsClosed, $"round {round}: the mapping was not unmapped after both views drained");
        }

        Assert.Equal(0, violations);
    }

    private static unsafe void Touch(nint address, int offset)
    {
        var p = (byte*)address + offset;
        *p = (byte)(*p + 1);
    }
}
