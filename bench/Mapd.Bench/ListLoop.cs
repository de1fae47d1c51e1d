using Grpc.Core;
using Mapd.Client;
using Mapd.Protocol.V1;

namespace Mapd.Bench;

/// <summary>
/// A separate client process that lists every region, back to back, while told to: the load of
/// another client next to the scale benchmark's opens. Reads <c>run</c> and <c>pause</c> on
/// stdin and answers <c>running</c> and <c>paused N</c> (the Lists done in that run).
/// </summary>
internal static class ListLoop
{
    /// <summary>The command word that starts this process's role.</summary>
    public const string Command = "list-loop";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 1)
        {
            await Console.Error.WriteLineAsync($"usage: Mapd.Bench {Command} SOCKET_DIRECTORY");
            return 2;
        }

        using var channel = MapdChannel.Create(Path.Join(args[0], SocketLocation.GrpcSocketName), TimeSpan.FromSeconds(10));
        var regions = new Regions.RegionsClient(channel);
        await regions.ListAsync(new ListRequest { PageSize = 1 });
        Console.WriteLine("ready");
        CancellationTokenSource? run = null;
        Task<long>? loop = null;
        while (await Console.In.ReadLineAsync() is { } line)
        {
            switch (line)
            {
                case "run" when run is null:
                    run = new CancellationTokenSource();
                    loop = ListUntilAsync(regions, run.Token);
                    Console.WriteLine("running");
                    break;
                case "pause" when run is not null:
                    await run.CancelAsync();
                    Console.WriteLine($"paused {await loop!}");
                    run.Dispose();
                    run = null;
                    break;
                default:
                    Console.WriteLine($"error unexpected '{line}'");
                    break;
            }
        }

        run?.Cancel();
        return 0;
    }

    private static async Task<long> ListUntilAsync(Regions.RegionsClient regions, CancellationToken cancellationToken)
    {
        await Task.Yield();
        long lists = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await regions.ListAsync(new ListRequest(), cancellationToken: cancellationToken);
                lists++;
            }
        }
        catch (RpcException) when (cancellationToken.IsCancellationRequested)
        {
        }

        return lists;
    }
}
