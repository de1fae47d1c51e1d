using Grpc.Core;
using Mapd.Client;
using Mapd.IntegrationTests.Infrastructure;
using Mapd.Protocol.V1;
using Status = Mapd.IntegrationTests.Infrastructure.Status;

namespace Mapd.IntegrationTests;

/// <summary>
/// Every bad request gets the contract's status code and a message that says what to do,
/// and the daemon keeps serving: each test ends by checking that it still answers.
/// </summary>
public sealed class BadInputTests(SharedDaemon shared) : IClassFixture<SharedDaemon>, IAsyncLifetime
{
    private MapdClient _mapd = null!;

    public async Task InitializeAsync() => _mapd = await shared.Daemon.ConnectAsync();

    public async Task DisposeAsync()
    {
        // The daemon survived whatever the test sent: it still lists regions and creates one.
        var name = Status.UniqueName("alive");
        await using (await _mapd.CreateAsync(name, 4096))
        {
        }

        Assert.Contains(await _mapd.ListAsync(), r => r.Name == name);
        await _mapd.DeleteAsync(name);
        await _mapd.DisposeAsync();
    }

    public static TheoryData<string, string> BadNames => new()
    {
        { "a/b", "'/'" },
        { "..", "starts with '.'" },
        { "../etc/passwd", "starts with '.'" },
        { "a\0b", "NUL" },
        { ".hidden", "starts with '.'" },
        { "", "empty" },
        { new string('x', 201), "201 characters" },
        { "sp ace", "U+0020" },
        { "ünïcode", "'ü'" },
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task Bad_names_are_invalid_argument_on_every_call(string name, string explanation)
    {
        foreach (var call in new Func<Task>[]
        {
            () => _mapd.CreateAsync(name, 4096),
            () => _mapd.OpenAsync(name, RegionAccess.ReadOnly),
            () => _mapd.GetAsync(name),
            () => _mapd.DeleteAsync(name),
        })
        {
            var (code, message) = await Status.Of(call);
            Assert.Equal(StatusCode.InvalidArgument, code);
            Assert.Contains(explanation, message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_200_character_name_is_fine()
    {
        var name = new string('n', 190) + Guid.NewGuid().ToString("N")[..10];
        await using (await _mapd.CreateAsync(name, 4096))
        {
        }

        Assert.Equal(name, (await _mapd.GetAsync(name)).Name);
        await _mapd.DeleteAsync(name);
    }

    [Theory]
    [InlineData(0UL, "size is 0")]
    [InlineData((128UL << 20) + 1, "above the largest region allowed")]
    [InlineData(1UL << 40, "above the largest region allowed")]
    [InlineData(1UL << 63, "above the largest region allowed")]
    [InlineData(ulong.MaxValue, "above the largest region allowed")]
    public async Task Bad_sizes_are_invalid_argument(ulong size, string explanation)
    {
        var (code, message) = await Status.Of(() => _mapd.Grpc.CreateAsync(
            new CreateRequest { Name = Status.UniqueName("size"), Size = size }, _mapd.SessionHeaders).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, code);
        Assert.Contains(explanation, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_size_within_the_limit_but_beyond_free_capacity_is_resource_exhausted()
    {
        // 256M of storage: two 100M regions fit, a third does not.
        var names = Enumerable.Range(0, 3).Select(i => Status.UniqueName($"cap{i}")).ToArray();
        try
        {
            await using (await _mapd.CreateAsync(names[0], 100 << 20))
            await using (await _mapd.CreateAsync(names[1], 100 << 20))
            {
            }

            var (code, message) = await Status.Of(() => _mapd.CreateAsync(names[2], 100 << 20));
            Assert.Equal(StatusCode.ResourceExhausted, code);
            Assert.Contains("capacity", message, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var name in names)
            {
                await Status.Of(() => _mapd.DeleteAsync(name));
            }
        }
    }

    [Fact]
    public async Task A_mode_above_0777_is_invalid_argument()
    {
        var (code, message) = await Status.Of(() => _mapd.CreateAsync(Status.UniqueName("mode"), 4096, mode: 0b1_000_000_000));
        Assert.Equal(StatusCode.InvalidArgument, code);
        Assert.Contains("0777", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Access.Unspecified)]
    [InlineData((Access)7)]
    public async Task Unknown_access_is_invalid_argument(Access access)
    {
        var name = Status.UniqueName("access");
        await using (await _mapd.CreateAsync(name, 4096))
        {
        }

        var (code, message) = await Status.Of(() => _mapd.Grpc.OpenAsync(new OpenRequest { Name = name, Access = access }, _mapd.SessionHeaders).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, code);
        Assert.Contains("ACCESS_READ_ONLY", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_duplicate_create_is_already_exists_and_keeps_the_original()
    {
        var name = Status.UniqueName("dup");
        await using (await _mapd.CreateAsync(name, 8192))
        {
        }

        var (code, _) = await Status.Of(() => _mapd.CreateAsync(name, 4096));
        Assert.Equal(StatusCode.AlreadyExists, code);
        Assert.Equal(8192, (await _mapd.GetAsync(name)).Size);
    }

    [Fact]
    public async Task Missing_regions_are_not_found()
    {
        var name = Status.UniqueName("missing");
        Assert.Equal(StatusCode.NotFound, (await Status.Of(() => _mapd.OpenAsync(name))).Code);
        Assert.Equal(StatusCode.NotFound, (await Status.Of(() => _mapd.GetAsync(name))).Code);
        Assert.Equal(StatusCode.NotFound, (await Status.Of(() => _mapd.DeleteAsync(name))).Code);
    }

    [Fact]
    public async Task A_call_without_a_session_is_failed_precondition()
    {
        var (code, message) = await Status.Of(() => _mapd.Grpc.OpenAsync(new OpenRequest { Name = "x", Access = Access.ReadOnly }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, code);
        Assert.Contains("needs a session", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef", "is not open")]
    [InlineData("not-hex", "32 lowercase hex")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF", "32 lowercase hex")]
    public async Task A_forged_session_is_failed_precondition(string session, string explanation)
    {
        var (code, message) = await Status.Of(() => _mapd.Grpc.CreateAsync(
            new CreateRequest { Name = Status.UniqueName("forged"), Size = 4096 },
            new Metadata { { "mapd-session", session } }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, code);
        Assert.Contains(explanation, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_process_s_session_is_failed_precondition()
    {
        await using var other = ClientProcess.Start(shared.Daemon, null, "session");
        var line = await other.ReadLineAsync();
        Assert.StartsWith("ok ", line);
        var stolen = line[3..];

        var (code, message) = await Status.Of(() => _mapd.Grpc.CreateAsync(
            new CreateRequest { Name = Status.UniqueName("stolen"), Size = 4096 },
            new Metadata { { "mapd-session", stolen } }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, code);
        Assert.Contains("another process", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Closing_a_region_the_session_never_opened_is_not_found()
    {
        var (code, _) = await Status.Of(() => _mapd.Grpc.CloseAsync(new CloseRequest { Name = Status.UniqueName("never") }, _mapd.SessionHeaders).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, code);
    }
}
