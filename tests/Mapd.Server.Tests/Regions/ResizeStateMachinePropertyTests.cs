using CsCheck;
using Mapd.Server.Errors;
using Mapd.Server.Peers;
using Mapd.Server.Regions;
using Mapd.Server.Storage;
using Mapd.Server.Watches;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mapd.Server.Tests.Regions;

/// <summary>
/// The generation / size / pending-size state machine of RegionStore against a model, on a
/// real tmpfs directory: random sequences of resizes (with and without compare-and-set),
/// releases, session ends, re-opens and grace timeouts, then concurrent compare-and-set.
/// </summary>
public sealed class ResizeStateMachinePropertyTests
{
    private const ulong Page = 4096;
    private static readonly CallerIdentity Root = new(1, 0, 0, []);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    private abstract record Operation;

    private sealed record Resize(ulong Pages, int ExpectedChoice) : Operation;

    private sealed record Release(int Mapper, bool Current) : Operation;

    private sealed record EndSession(int Mapper) : Operation;

    private sealed record Reopen(int Mapper) : Operation;

    private sealed record GraceTimeout : Operation;

    private static readonly Gen<Operation> Operations = Gen.Frequency(
        (5, Gen.Select(Gen.ULong[1, 32], Gen.Int[0, 2], (pages, expected) => (Operation)new Resize(pages, expected))),
        (4, Gen.Select(Gen.Int[0, 2], Gen.Bool, (mapper, current) => (Operation)new Release(mapper, current))),
        (1, Gen.Int[0, 2].Select(mapper => (Operation)new EndSession(mapper))),
        (1, Gen.Int[0, 2].Select(mapper => (Operation)new Reopen(mapper))),
        (1, Gen.Const((Operation)new GraceTimeout())));

    [Fact]
    public void Sequences_of_resizes_releases_and_session_ends_match_the_model_and_never_cut_under_a_mapper() =>
        Operations.Array[1, 40].Sample(RunAgainstModel, iter: 150, threads: 1);

    [Fact]
    public void Concurrent_compare_and_set_grows_apply_exactly_once_each_with_distinct_generations() =>
        Gen.Int[2, 8].Array[2, 6].Sample(RunConcurrent, iter: 40, threads: 1);

    private static void RunAgainstModel(Operation[] operations)
    {
        using var scratch = new ScratchDirectory();
        var time = new CountingTimeProvider();
        using var storage = StorageRoot.Open(new StorageOptions { Path = scratch.Path }, NullLogger.Instance);
        using var descriptors = new DescriptorCache(16);
        using var store = new RegionStore(storage, new RegionPermissions(0), new RegionLimits(0, 16, Grace), descriptors, new WatchHub(), NullLogger<RegionStore>.Instance, time);
        store.Recover(TimeSpan.Zero);

        var mappers = Enumerable.Range(0, 3).Select(i => new TestMapper($"m{i}", 100 + i)).ToArray();
        var model = new Model(8 * Page);
        store.Create("r", model.Size, 0, 0, Root, mappers[0]).Descriptor.Dispose();
        model.Open(0);
        for (var i = 1; i < mappers.Length; i++)
        {
            store.Mappings.Open("r", writable: true, Root, mappers[i]).Descriptor.Dispose();
            model.Open(i);
        }

        foreach (var operation in operations)
        {
            switch (operation)
            {
                case Resize(var pages, var expectedChoice):
                    {
                        var size = pages * Page;
                        var expected = expectedChoice switch { 0 => 0UL, 1 => model.Generation, _ => model.Generation + 7 };
                        if (model.ShrinkPending && !model.HolePunched)
                        {
                            // A shrink in its grace period is waited for: the resize waits until its deadline.
                            using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
                            var waited = Assert.Throws<RefusedException>(() => store.Resizer.ResizeAsync("r", size, expected, Root, deadline.Token).GetAwaiter().GetResult());
                            Assert.Equal(Refusal.DeadlineExceeded, waited.Reason);
                            break;
                        }

                        if (expected != 0 && expected != model.Generation)
                        {
                            var refused = Assert.Throws<RefusedException>(() => store.Resizer.ResizeAsync("r", size, expected, Root, CancellationToken.None).GetAwaiter().GetResult());
                            Assert.Equal(Refusal.FailedPrecondition, refused.Reason);
                            break;
                        }

                        var before = model.Generation;
                        store.Resizer.ResizeAsync("r", size, expected, Root, CancellationToken.None).GetAwaiter().GetResult();
                        model.Resize(size);
                        Assert.True(model.Generation == before || model.Generation == before + 1);
                        break;
                    }

                case Release(var index, var current):
                    {
                        if (!model.Mapped[index])
                        {
                            var missing = Assert.Throws<RefusedException>(() => store.Mappings.Release("r", model.Generation, mappers[index]));
                            Assert.Equal(Refusal.NotFound, missing.Reason);
                            break;
                        }

                        var generation = current ? model.Generation : Math.Max(1, model.Generation - 1);
                        store.Mappings.Release("r", generation, mappers[index]);
                        model.Release(index, generation);
                        break;
                    }

                case EndSession(var index):
                    store.Mappings.RemoveMapper(mappers[index]);
                    model.End(index);

                    // An ended session never comes back: the process reconnects with a new one.
                    mappers[index] = new TestMapper($"m{index}'", 100 + index);
                    break;

                case Reopen(var index):
                    store.Mappings.Open("r", writable: false, Root, mappers[index]).Descriptor.Dispose();
                    model.Open(index);
                    break;

                case GraceTimeout:
                    time.Advance(Grace + TimeSpan.FromSeconds(1));
                    model.GraceExpired();
                    break;
            }

            var region = store.Get("r");
            Assert.Equal(model.Size, region.Size);
            Assert.Equal(model.PendingSize, region.PendingSize);
            Assert.Equal(model.Generation, region.Generation);
            Assert.Equal(model.HolePunched, region.PendingShrink?.HolePunched ?? false);

            // The safety property: the file is never shorter than what any live mapper may touch.
            var fileSize = new FileInfo(scratch.Join("regions/r")).Length;
            Assert.Equal((long)model.Size, fileSize);
            Assert.All(model.MappedLengths(), length => Assert.True(length <= (ulong)fileSize, $"a mapper may touch {length} bytes of a {fileSize}-byte file"));
        }
    }

    private static void RunConcurrent(int[] growthsInPages)
    {
        using var scratch = new ScratchDirectory();
        using var storage = StorageRoot.Open(new StorageOptions { Path = scratch.Path }, NullLogger.Instance);
        using var descriptors = new DescriptorCache(16);
        using var store = new RegionStore(storage, new RegionPermissions(0), new RegionLimits(0, 16, Grace), descriptors, new WatchHub(), NullLogger<RegionStore>.Instance, TimeProvider.System);
        store.Recover(TimeSpan.Zero);
        store.Create("c", Page, 0, 0, Root, new TestMapper("owner")).Descriptor.Dispose();

        // Every task tries to grow by its own amount from the generation it read, until it wins once.
        var wins = growthsInPages.Select(async pages =>
        {
            await Task.Yield();
            while (true)
            {
                var seen = store.Get("c");
                try
                {
                    var after = await store.Resizer.ResizeAsync("c", seen.Size + ((ulong)pages * Page), seen.Generation, Root, CancellationToken.None);
                    return (Seen: seen, After: after);
                }
                catch (RefusedException e) when (e.Reason == Refusal.FailedPrecondition)
                {
                }
            }
        }).ToArray();
        var results = Task.WhenAll(wins).GetAwaiter().GetResult();

        Assert.Equal(results.Length, results.Select(r => r.After.Generation).Distinct().Count());
        Assert.All(results, r => Assert.Equal(r.Seen.Generation + 1, r.After.Generation));
        var final = store.Get("c");
        Assert.Equal(1UL + (ulong)results.Length, final.Generation);
        Assert.Equal(Page * (1 + (ulong)growthsInPages.Sum()), final.Size);
        Assert.Equal((long)final.Size, new FileInfo(scratch.Join("regions/c")).Length);
    }

    /// <summary>What the contract says should happen, written as plainly as possible.</summary>
    private sealed class Model(ulong size)
    {
        private readonly ulong[] _acknowledged = new ulong[3];
        private readonly ulong[] _mappedLength = new ulong[3];
        private readonly HashSet<int> _waiting = [];

        public ulong Size { get; private set; } = size;

        public ulong PendingSize { get; private set; }

        public ulong Generation { get; private set; } = 1;

        public bool HolePunched { get; private set; }

        public bool ShrinkPending => PendingSize != 0;

        public bool[] Mapped { get; } = new bool[3];

        public void Open(int index)
        {
            if (!Mapped[index])
            {
                Mapped[index] = true;
                _acknowledged[index] = Generation;
                _mappedLength[index] = ShrinkPending ? PendingSize : Size;
            }
        }

        public void End(int index)
        {
            Mapped[index] = false;
            _mappedLength[index] = 0;
            _waiting.Remove(index);
            TryCommit();
        }

        public void Resize(ulong size)
        {
            if (ShrinkPending)
            {
                Supersede(size);
                return;
            }

            if (size == Size)
            {
                return;
            }

            Generation++;
            if (size > Size)
            {
                Size = size;
                return;
            }

            PendingSize = size;
            HolePunched = false;
            for (var i = 0; i < 3; i++)
            {
                if (Mapped[i])
                {
                    _waiting.Add(i);
                }
            }

            TryCommit();
        }

        public void Release(int index, ulong generation)
        {
            _acknowledged[index] = Math.Max(_acknowledged[index], generation);
            if (ShrinkPending && generation >= Generation && _waiting.Remove(index))
            {
                _mappedLength[index] = PendingSize;
                TryCommit();
            }
        }

        public void GraceExpired()
        {
            if (ShrinkPending)
            {
                HolePunched = true;
            }
        }

        /// <summary>A resize past a shrink's grace period: a grow ends it, a smaller size retargets it.</summary>
        private void Supersede(ulong size)
        {
            if (size == PendingSize)
            {
                return;
            }

            Generation++;
            if (size >= Size)
            {
                Size = size;
                PendingSize = 0;
                HolePunched = false;
                _waiting.Clear();
                return;
            }

            var up = size > PendingSize;
            PendingSize = size;
            for (var i = 0; i < 3; i++)
            {
                if (Mapped[i] && !up)
                {
                    _waiting.Add(i);
                }

                if (Mapped[i] && !_waiting.Contains(i))
                {
                    // A mapper that released the old target follows the new one.
                    _mappedLength[i] = size;
                }
            }

            HolePunched = up;
            TryCommit();
        }

        /// <summary>What each live mapper may still touch: the old size until it released the shrink.</summary>
        public IEnumerable<ulong> MappedLengths() =>
            Enumerable.Range(0, 3).Where(i => Mapped[i]).Select(i => _waiting.Contains(i) ? Size : Math.Min(_mappedLength[i], Size));

        private void TryCommit()
        {
            if (ShrinkPending && _waiting.Count == 0)
            {
                Size = PendingSize;
                PendingSize = 0;
                HolePunched = false;
            }
        }
    }
}
