using Grpc.Core;
using Mapd.IntegrationTests.Infrastructure;
using Mapd.Protocol.V1;

namespace Mapd.IntegrationTests;

/// <summary>The calls operators and tools make without a session: Status, Ping and paged List, over the real socket.</summary>
public sealed class OperatorCallsTests(SharedDaemon shared) : IClassFixture<SharedDaemon>
{
    private Regions.RegionsClient Plain() =>
        new(UnixGrpc.Channel(Path.Join(shared.Daemon.SocketDirectory, SocketLocation.GrpcSocketName)));

    [Fact]
    public async Task Status_reports_version_uptime_capacity_use_counts_and_health()
    {
        await using var mapd = await shared.Daemon.ConnectAsync();
        var name = Infrastructure.Status.UniqueName("status");
        using var region = await mapd.CreateAsync(name, 10_000);

        var status = await Plain().StatusAsync(new StatusRequest());

        Assert.False(string.IsNullOrWhiteSpace(status.Version));
        Assert.InRange(status.StartedAt.ToDateTimeOffset(), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow);
        Assert.Equal(256UL << 20, status.CapacityBytes);
        Assert.True(status.UsedBytes >= 12_288, $"used {status.UsedBytes} bytes with a 10,000-byte region (three pages) open");
        Assert.True(status.Regions >= 1);
        Assert.True(status.Sessions >= 1);
        Assert.Equal("Healthy", status.Health);
        Assert.Equal(string.Empty, status.HealthDetail);
        Assert.Equal(shared.Daemon.StoragePath, status.StoragePath);
        await mapd.DeleteAsync(name);
    }

    [Fact]
    public async Task Ping_answers_without_a_session()
    {
        Assert.NotNull(await Plain().PingAsync(new PingRequest()));
    }

    [Fact]
    public async Task List_pages_through_a_prefix_in_name_order_and_without_a_page_size_returns_everything()
    {
        await using var mapd = await shared.Daemon.ConnectAsync();
        var prefix = Infrastructure.Status.UniqueName("page") + "-";
        string[] names = [$"{prefix}a", $"{prefix}b", $"{prefix}c", $"{prefix}d", $"{prefix}e"];
        foreach (var name in names.Reverse())
        {
            (await mapd.CreateAsync(name, 4096)).Dispose();
        }

        var client = Plain();
        var seen = new List<string>();
        var pages = 0;
        var token = string.Empty;
        do
        {
            var page = await client.ListAsync(new ListRequest { Prefix = prefix, PageSize = 2, PageToken = token });
            Assert.InRange(page.Regions.Count, 1, 2);
            seen.AddRange(page.Regions.Select(r => r.Name));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);

        Assert.Equal(names, seen);
        Assert.Equal(3, pages);
        var all = await client.ListAsync(new ListRequest { Prefix = prefix });
        Assert.Equal(names, all.Regions.Select(r => r.Name));
        Assert.Equal(string.Empty, all.NextPageToken);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.ListAsync(new ListRequest { Prefix = "../" }));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("prefix", error.Status.Detail, StringComparison.Ordinal);
        error = await Assert.ThrowsAsync<RpcException>(async () => await client.ListAsync(new ListRequest { PageToken = "/x" }));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("next_page_token", error.Status.Detail, StringComparison.Ordinal);

        foreach (var name in names)
        {
            await mapd.DeleteAsync(name);
        }
    }
}
