using System.Text;
using Google.Protobuf;
using Mapd.Fuzz.Targets;
using Mapd.Protocol.V1;
using Mapd.Server.Storage;

namespace Mapd.Fuzz;

/// <summary>
/// Starting inputs for each target, built with the real writers and message types: valid
/// examples of what each parser is for, from which the fuzzer mutates. <c>fuzz/run.sh</c> writes
/// them before the first run; the committed corpus is what fuzzing grew from them, minimised.
/// </summary>
public static class Seeds
{
    /// <summary>The seeds of <paramref name="target"/>, by file name.</summary>
    public static IReadOnlyDictionary<string, byte[]> For(string target) => target switch
    {
        "session-frames" => SessionFrames(),
        "metadata" => Metadata(),
        "requests" => Requests(),
        _ => throw new ArgumentException($"no fuzz target '{target}'", nameof(target)),
    };

    private static Dictionary<string, byte[]> SessionFrames()
    {
        var seeds = new Dictionary<string, byte[]>();
        var buffer = new byte[Protocol.SessionFrames.MaxCloseLength];
        Protocol.SessionFrames.WriteHello(buffer);
        seeds["hello"] = buffer[..Protocol.SessionFrames.HelloLength];
        Protocol.SessionFrames.WriteWelcome(buffer, Enumerable.Range(1, 16).Select(i => (byte)i).ToArray());
        seeds["welcome"] = buffer[..Protocol.SessionFrames.WelcomeLength];
        Protocol.SessionFrames.WriteFd(buffer, 42);
        seeds["fd"] = buffer[..Protocol.SessionFrames.HandoffLength];
        seeds["taken-1"] = buffer[..Protocol.SessionFrames.WriteTaken(buffer, [7])];
        seeds["taken-3"] = buffer[..Protocol.SessionFrames.WriteTaken(buffer, [1, 2, ulong.MaxValue])];
        seeds["close"] = buffer[..Protocol.SessionFrames.WriteClose(buffer, 9, "frames-0")];
        seeds["open"] = buffer[..Protocol.SessionOpenFrames.WriteOpen(buffer, 3, Protocol.V1.Access.ReadOnly, "frames-0")];
        var answer = new byte[Protocol.SessionFrames.MaxLength];
        seeds["opened"] = answer[..Protocol.SessionOpenFrames.WriteOpened(answer, 3, 42, Protocol.V1.Access.ReadOnly, new Protocol.V1.Region { Name = "frames-0", Size = 4096, Generation = 1 })];
        seeds["open-failed"] = answer[..Protocol.SessionOpenFrames.WriteFailed(answer, 3, 5, "region 'frames-0' does not exist")];
        return seeds;
    }

    private static Dictionary<string, byte[]> Metadata()
    {
        var record = new RegionRecord("frames-0", 3 << 20, 2, 1000, 100, 0b110_100_000, 1 << 20, new DateTimeOffset(2026, 11, 25, 22, 28, 15, TimeSpan.Zero), 8UL << 30);
        return new Dictionary<string, byte[]>
        {
            ["record"] = record.ToJson(),
            ["no-shrink"] = (record with { PendingSize = 0, MaxSize = 0 }).ToJson(),
            ["old-format"] = Encoding.UTF8.GetBytes("{\"version\":0,\"region\":{\"name\":\"a\",\"generation\":1}}"),
        };
    }

    private static Dictionary<string, byte[]> Requests()
    {
        // Method indexes follow mapd.proto: Create, Open, Get, List, Resize, Delete, Close, Release, Watch, ListSessions, Status, Ping.
        const int create = 0, open = 1, get = 2, list = 3, resize = 4, delete = 5, close = 6, release = 7, watch = 8, sessions = 9, status = 10, ping = 11;
        const int owner = 0, stranger = 1, root = 2;
        return new Dictionary<string, byte[]>
        {
            ["lifecycle"] = Calls(
                (RequestsTarget.Selector(create, owner, 0), new CreateRequest { Name = "fz", Size = 8192, Mode = 0b110_100_000 }),
                (RequestsTarget.Selector(open, stranger, 0), new OpenRequest { Name = "fz", Access = Access.ReadOnly }),
                (RequestsTarget.Selector(get, owner, 1), new GetRequest { Name = "fz" }),
                (RequestsTarget.Selector(resize, owner, 1), new ResizeRequest { Name = "fz", Size = 4096, ExpectedGeneration = 1 }),
                (RequestsTarget.Selector(release, stranger, 0), new ReleaseRequest { Name = "fz", Generation = 2 }),
                (RequestsTarget.Selector(close, stranger, 0), new CloseRequest { Name = "fz" }),
                (RequestsTarget.Selector(delete, owner, 1), new DeleteRequest { Name = "fz" })),
            ["listing"] = Calls(
                (RequestsTarget.Selector(create, root, 0), new CreateRequest { Name = "a.1", Size = 4096, MaxSize = 1 << 20 }),
                (RequestsTarget.Selector(create, root, 0), new CreateRequest { Name = "a-2", Size = 4096 }),
                (RequestsTarget.Selector(list, stranger, 1), new ListRequest { Prefix = "a", PageSize = 1 }),
                (RequestsTarget.Selector(list, stranger, 1), new ListRequest { Prefix = "a", PageSize = 1, PageToken = "a-2" }),
                (RequestsTarget.Selector(watch, owner, 1), new WatchRequest { Names = { "a.1", "a-2" } }),
                (RequestsTarget.Selector(watch, root, 0), new WatchRequest())),
            ["operator"] = Calls(
                (RequestsTarget.Selector(sessions, root, 1), new ListSessionsRequest()),
                (RequestsTarget.Selector(status, owner, 1), new StatusRequest()),
                (RequestsTarget.Selector(ping, 3, 1), new PingRequest())),
            ["refusals"] = Calls(
                (RequestsTarget.Selector(create, owner, 3), new CreateRequest { Name = "x", Size = 1 }),
                (RequestsTarget.Selector(create, owner, 2), new CreateRequest { Name = "x", Size = 1 }),
                (RequestsTarget.Selector(create, owner, 0), new CreateRequest { Name = "../x", Size = 0, Mode = 0b1_000_000_000 }),
                (RequestsTarget.Selector(open, owner, 0), new OpenRequest { Name = "x", Access = (Access)7 })),
        };
    }

    private static byte[] Calls(params (byte Selector, IMessage Request)[] calls)
    {
        var input = new List<byte>();
        foreach (var (selector, request) in calls)
        {
            var bytes = request.ToByteArray();
            input.Add(selector);
            input.Add(checked((byte)bytes.Length));
            input.AddRange(bytes);
        }

        return [.. input];
    }
}
