using Mapd.Client;
using Mapd.IntegrationTests.Infrastructure;

namespace Mapd.IntegrationTests;

/// <summary>
/// A mapper of another uid that never releases a shrink cannot freeze the owner's region: the
/// owner's later resizes wait for it at most the grace timeout, then supersede the shrink, and
/// the laggard, which still maps the old length, never gets SIGBUS.
/// </summary>
public sealed class LaggardTests
{
    private const long MiB = 1 << 20;

    [RequiresRootFact("runs the laggard as another uid")]
    public async Task A_read_only_laggard_of_another_uid_delays_the_owners_grow_only_until_the_grace_timeout()
    {
        await using var daemon = await MapdDaemon.StartAsync("256M", new Dictionary<string, string>
        {
            ["Mapd:SocketMode"] = "0666",
            ["Mapd:Grace:Timeout"] = "00:00:01",
        });
        await using var owner = await daemon.ConnectAsync();
        await using var region = await owner.CreateAsync("frozen", 32 * MiB, mode: 0b110_100_100);

        await using var laggard = ClientProcess.Start(daemon, SwitchUser.Nobody, "hold-read", "frozen");
        Assert.Equal("ok holding 33554432", await laggard.ReadLineAsync());

        var announced = await region.ResizeAsync(4 * MiB);
        Assert.Equal(4 * MiB, announced.PendingSize);

        // The grow waits for the shrink only while its grace period runs, never for the laggard.
        var grown = await owner.ResizeAsync("frozen", 64 * MiB).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(64 * MiB, grown.Size);
        Assert.Equal(0, grown.PendingSize);
        await daemon.WaitForLogAsync("replaced it without waiting for its 1 laggard");

        // The laggard still maps its old 32 MiB and reads every page of it: no SIGBUS.
        await laggard.WriteLineAsync("read");
        Assert.Equal("ok read 33554432", await laggard.ReadLineAsync());
        await SessionTests.Eventually(() => Task.FromResult(region.Size == 64 * MiB));

        // A shrink of the owner's own commits as soon as the owner and the laggard let go.
        var shrunk = await owner.ResizeAsync("frozen", 8 * MiB);
        laggard.CloseInput();
        Assert.Equal(0, await laggard.WaitForExitAsync());
        await SessionTests.Eventually(async () => (await owner.GetAsync("frozen")).Size == 8 * MiB);
        Assert.Equal(8 * MiB, new FileInfo(Path.Join(daemon.StoragePath, "regions", "frozen")).Length);
        Assert.Equal(8 * MiB, shrunk.PendingSize);
    }
}
