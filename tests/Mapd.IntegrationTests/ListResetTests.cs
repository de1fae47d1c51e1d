using System.Diagnostics;
using Grpc.Core;
using Mapd.IntegrationTests.Infrastructure;
using Mapd.Protocol.V1;

namespace Mapd.IntegrationTests;

/// <summary>
/// A client that gives up on a List of everything (cancelling it resets its HTTP/2 stream)
/// while the daemon is still writing the reply costs the daemon that one reply, never a thread:
/// Kestrel gives a reset stream's writer empty buffers, on which protobuf's copy loop spun
/// forever, holding the bulk-read lane and with it every later List of everything.
/// </summary>
public sealed class ListResetTests
{
    private const int RegionCount = 1100;

    [Fact]
    public async Task Lists_of_everything_reset_before_during_and_after_the_reply_leave_later_Lists_answered()
    {
        await using var daemon = await MapdDaemon.StartAsync();
        await using var client = await daemon.ConnectAsync();

        // More regions than one page, so a List of everything takes the bulk-read lane; long
        // names make the reply long enough (~140 KB) for resets to land while it is written.
        var prefix = new string('r', 100);
        for (var i = 0; i < RegionCount; i++)
        {
            (await client.CreateAsync($"{prefix}-{i:D4}", 4096)).Dispose();
        }

        using var channel = UnixGrpc.Channel(Path.Join(daemon.SocketDirectory, SocketLocation.GrpcSocketName));
        var regions = new Regions.RegionsClient(channel);
        var full = await regions.ListAsync(new ListRequest());
        Assert.Equal(RegionCount, full.Regions.Count);

        // Reset each call a little later than the last, so resets land before the daemon reads
        // the request, while it builds and writes the reply, and after the reply left. On a
        // loaded machine a List of everything takes seconds (the lane runs under SCHED_IDLE):
        // the resets then spread over its first 200 ms only, which keeps the test short.
        var took = Stopwatch.StartNew();
        await regions.ListAsync(new ListRequest());
        var window = TimeSpan.FromTicks(Math.Min(took.Elapsed.Ticks, TimeSpan.FromMilliseconds(200).Ticks));
        var cancelled = 0;
        for (var round = 0; round < 120; round++)
        {
            using var cancel = new CancellationTokenSource();
            using var call = regions.ListAsync(new ListRequest(), cancellationToken: cancel.Token);
            var delay = window * (round % 40) / 30;
            if (delay > TimeSpan.Zero)
            {
                await Task.WhenAny(call.ResponseAsync, Task.Delay(delay));
            }

            await cancel.CancelAsync();
            try
            {
                await call;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
            {
                cancelled++;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                // Kestrel closes a connection whose client resets many streams in a row (its
                // rapid-reset defence); the channel connects again for the next call.
            }
        }

        Assert.True(cancelled > 0, "no List was reset before its reply arrived; the test did not test anything");
        var after = await regions.ListAsync(new ListRequest(), deadline: DateTime.UtcNow.AddSeconds(60));
        Assert.Equal(RegionCount, after.Regions.Count);
        Assert.NotNull(await regions.PingAsync(new PingRequest(), deadline: DateTime.UtcNow.AddSeconds(60)));
    }
}
