using Mapd.Native;
using Mapd.Server.Errors;
using Mapd.Server.Storage;

namespace Mapd.Server.Tests.Storage;

public sealed class DescriptorCacheTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new("mapd-server-test-");
    private readonly DirectoryHandle _directory;

    public DescriptorCacheTests()
    {
        _directory = _scratch.Open();
        for (var i = 0; i < 8; i++)
        {
            _directory.CreateFile($"f{i}", 0b110_000_000).Dispose();
        }
    }

    public void Dispose()
    {
        _directory.Dispose();
        _scratch.Dispose();
    }

    [Fact]
    public void A_hit_lends_the_kept_descriptor_and_a_miss_opens_one()
    {
        using var cache = new DescriptorCache(4);
        var opens = 0;

        using (var first = cache.Lend("f0", writable: false, () => Open("f0", ref opens)))
        using (var second = cache.Lend("f0", writable: false, () => Open("f0", ref opens)))
        {
            Assert.Same(first.Descriptor, second.Descriptor);
        }

        using (cache.Lend("f0", writable: true, () => Open("f0", ref opens)))
        {
        }

        Assert.Equal(2, opens);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void It_keeps_at_most_its_capacity_and_evicts_the_least_recently_used()
    {
        using var cache = new DescriptorCache(3);
        var opens = 0;
        var kept = new List<FileDescriptor>();
        foreach (var name in new[] { "f0", "f1", "f2" })
        {
            using var loan = cache.Lend(name, false, () => Open(name, ref opens));
            kept.Add(loan.Descriptor);
        }

        cache.Lend("f0", false, () => Open("f0", ref opens)).Dispose();
        cache.Lend("f3", false, () => Open("f3", ref opens)).Dispose();

        Assert.Equal(3, cache.Count);
        Assert.Equal(4, opens);
        Assert.False(kept[0].IsClosed);
        Assert.True(kept[1].IsClosed);
        Assert.False(kept[2].IsClosed);
    }

    [Fact]
    public void An_evicted_descriptor_stays_open_until_its_loan_ends()
    {
        using var cache = new DescriptorCache(1);
        var opens = 0;
        var loan = cache.Lend("f0", false, () => Open("f0", ref opens));

        cache.Lend("f1", false, () => Open("f1", ref opens)).Dispose();
        var stillOpen = Files.Stat(loan.Descriptor, "f0");
        loan.Dispose();

        Assert.Equal(0, stillOpen.Size);
        Assert.True(loan.Descriptor.IsClosed);
    }

    [Fact]
    public void Forget_closes_both_descriptors_of_an_owner()
    {
        using var cache = new DescriptorCache(4);
        var opens = 0;
        FileDescriptor readOnly, readWrite;
        using (var loan = cache.Lend("f0", false, () => Open("f0", ref opens)))
        {
            readOnly = loan.Descriptor;
        }

        using (var loan = cache.Lend("f0", true, () => Open("f0", ref opens)))
        {
            readWrite = loan.Descriptor;
        }

        cache.Forget("f0");

        Assert.True(readOnly.IsClosed);
        Assert.True(readWrite.IsClosed);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Out_of_descriptors_it_closes_the_older_half_and_tries_once_more()
    {
        using var cache = new DescriptorCache(8);
        var opens = 0;
        for (var i = 0; i < 4; i++)
        {
            var name = $"f{i}";
            cache.Lend(name, false, () => Open(name, ref opens)).Dispose();
        }

        var failures = 1;
        using var loan = cache.Lend("f7", false, () => failures-- > 0 ? throw new SystemCallException("openat", "f7", Errnos.EMFILE) : Open("f7", ref opens));

        Assert.Equal(3, cache.Count);
        Assert.False(loan.Descriptor.IsClosed);
    }

    [Fact]
    public void Still_out_of_descriptors_after_shedding_the_open_is_RESOURCE_EXHAUSTED_and_the_cache_serves_on()
    {
        using var cache = new DescriptorCache(8);
        var opens = 0;

        var error = Assert.Throws<RefusedException>(() => cache.Lend("f0", false, () => throw new SystemCallException("openat", "f0", Errnos.ENFILE)));
        using var loan = cache.Lend("f0", false, () => Open("f0", ref opens));

        Assert.Equal(Refusal.ResourceExhausted, error.Reason);
        Assert.Contains("out of file descriptors (ENFILE)", error.Message, StringComparison.Ordinal);
        Assert.Contains("LimitNOFILE", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Other_failures_pass_through_untouched()
    {
        using var cache = new DescriptorCache(8);

        var error = Assert.Throws<SystemCallException>(() => cache.Lend("missing", false, () => _directory.OpenFile("missing", writable: false)));

        Assert.Equal(Errnos.ENOENT, error.Errno);
        Assert.Equal(0, cache.Count);
    }

    private FileDescriptor Open(string name, ref int opens)
    {
        opens++;
        return _directory.OpenFile(name, writable: false);
    }
}
