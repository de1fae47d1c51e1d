using System.Diagnostics;
using System.Globalization;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Mapd.Client;
using Mapd.Protocol.V1;

namespace Mapd.Bench;

/// <summary>
/// The daemon at scale (10,000 regions by default), each figure next to its own baseline from
/// the same run: List's cost; Open latency alone and beside a loop of full Lists; the latency
/// of resizing one region with no watchers and with thousands of Watch streams on other
/// regions; and the descriptors and memory the daemon holds per region once every region was
/// opened both ways. Quiet and loaded phases alternate in rounds, so load from elsewhere on the
/// machine hits both alike.
/// </summary>
internal sealed class ScaleBenchmark : IAsyncDisposable
{
    private const int PageSize = 1000;
    private const ulong RegionSize = 4096;
    private readonly ScaleArguments _arguments;
    private readonly MapdDaemon _daemon;
    private readonly GrpcChannel _channel;
    private readonly ListLoopProcess _lister;
    private readonly ListLoopProcess _niceLister;
    private readonly Regions.RegionsClient _regions;
    private readonly RawSession _creator;
    private readonly RawSession _opener;
    private readonly string[] _names;
    private readonly List<(string State, int Descriptors, long RssBytes)> _footprint = [];
    private readonly LatencyRecorder _listWhole = new("List, one reply");
    private readonly LatencyRecorder _listPaged = new("List, pages");
    private readonly LatencyRecorder _openQuiet = new("Open alone");
    private readonly LatencyRecorder _openBesideList = new("Open beside a List loop");
    private readonly LatencyRecorder _openBesideNiceList = new("Open beside a List loop at nice 19");
    private readonly LatencyRecorder _callQuiet = new("Open call alone");
    private readonly LatencyRecorder _callBesideList = new("Open call beside a List loop");
    private readonly LatencyRecorder _resizeQuiet = new("Resize, no watchers");
    private readonly LatencyRecorder _resizeWatched = new("Resize, watched");
    private long _listsBesideOpens;
    private long _listsBesideOpensNice;

    private ScaleBenchmark(ScaleArguments arguments, MapdDaemon daemon, GrpcChannel channel, ListLoopProcess lister, ListLoopProcess niceLister, RawSession creator, RawSession opener)
    {
        _arguments = arguments;
        _daemon = daemon;
        _channel = channel;
        _lister = lister;
        _niceLister = niceLister;
        _regions = new Regions.RegionsClient(channel);
        _creator = creator;
        _opener = opener;
        _names = [.. Enumerable.Range(0, arguments.Regions).Select(i => $"scale-{i:D6}")];
    }

    /// <summary>Starts the daemon, measures, prints the tables, and cleans up whatever happens.</summary>
    public static async Task<int> RunAsync(ScaleArguments arguments, CancellationToken cancellationToken)
    {
        var daemonPath = arguments.DaemonPath ?? TestEnvironment.ReleaseDaemonDll;
        Console.WriteLine(BenchMachine.Describe("mapd scale benchmark", daemonPath));
        var storage = ((ulong)arguments.Regions * RegionSize * 2) + (256UL << 20);
        var settings = new Dictionary<string, string>
        {
            ["Mapd:Storage:Size"] = storage.ToString(CultureInfo.InvariantCulture),
            ["Mapd:Limits:MaxRegions"] = (arguments.Regions * 2).ToString(CultureInfo.InvariantCulture),
        };
        await using var daemon = await MapdDaemon.StartAsync(BenchDaemon.Options(daemonPath, settings), cancellationToken);
        var grpcPath = Path.Join(daemon.SocketDirectory, SocketLocation.GrpcSocketName);
        var sessionPath = Path.Join(daemon.SocketDirectory, SocketLocation.SessionSocketName);
        using var channel = MapdChannel.Create(grpcPath, TimeSpan.FromSeconds(10));
        using var lister = await ListLoopProcess.StartAsync(daemon.SocketDirectory);
        using var niceLister = await ListLoopProcess.StartAsync(daemon.SocketDirectory, nice: 19);
        using var creator = RawSession.Connect(sessionPath);
        using var opener = RawSession.Connect(sessionPath);
        await using var bench = new ScaleBenchmark(arguments, daemon, channel, lister, niceLister, creator, opener);
        try
        {
            await bench.PopulateAsync(cancellationToken);
            await bench.MeasureAsync(cancellationToken);
            Console.WriteLine(bench.Report());
            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"Mapd.Bench scale: {e}\nlast daemon output:\n{daemon.Log}");
            return 1;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Creates every region, then opens each read-only and read-write from a second session, noting descriptors and memory on the way.</summary>
    private async Task PopulateAsync(CancellationToken cancellationToken)
    {
        Note("started");
        var started = Stopwatch.GetTimestamp();
        foreach (var name in _names)
        {
            var reply = await _regions.CreateAsync(new CreateRequest { Name = name, Size = RegionSize }, _creator.Headers, cancellationToken: cancellationToken);
            _creator.Take(reply.HandoffId).Dispose();
        }

        Console.Error.WriteLine($"created {_names.Length} regions in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
        Note($"{_names.Length:N0} regions created");
        foreach (var name in _names)
        {
            foreach (var access in (Access[])[Access.ReadOnly, Access.ReadWrite])
            {
                var reply = await _regions.OpenAsync(new OpenRequest { Name = name, Access = access }, _opener.Headers, cancellationToken: cancellationToken);
                _opener.Take(reply.HandoffId).Dispose();
            }
        }

        Note($"each opened once both ways by a second session");

        // Still serving: a Get and an open of the first region answer.
        await _regions.GetAsync(new GetRequest { Name = _names[0] }, cancellationToken: cancellationToken);
        Console.Error.WriteLine($"populated in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
    }

    private async Task MeasureAsync(CancellationToken cancellationToken)
    {
        // Warm-up: every path once, unrecorded, until the JIT has settled a little.
        var warm = new LatencyRecorder("warm-up");
        await ListWholeAsync(warm, cancellationToken);
        await ListPagedAsync(warm, cancellationToken);
        await OpenLoopAsync(warm, TimeSpan.FromSeconds(2), call: false, cancellationToken);
        await OpenLoopAsync(warm, TimeSpan.FromSeconds(2), call: true, cancellationToken);
        await ReleaseResizedRegionAsync(cancellationToken);
        await ResizeLoopAsync(warm, TimeSpan.FromSeconds(2), cancellationToken);

        for (var round = 0; round < _arguments.Rounds; round++)
        {
            for (var i = 0; i < 5; i++)
            {
                await ListWholeAsync(_listWhole, cancellationToken);
                await ListPagedAsync(_listPaged, cancellationToken);
            }

            await OpenLoopAsync(_openQuiet, _arguments.Phase, call: false, cancellationToken);
            await OpenBesideListsAsync(_lister, _openBesideList, call: false, cancellationToken);
            await OpenBesideListsAsync(_niceLister, _openBesideNiceList, call: false, cancellationToken);
            await OpenLoopAsync(_callQuiet, _arguments.Phase, call: true, cancellationToken);
            await OpenBesideListsAsync(_lister, _callBesideList, call: true, cancellationToken);
            await ResizeLoopAsync(_resizeQuiet, _arguments.Phase, cancellationToken);
            await ResizeWatchedAsync(cancellationToken);
            foreach (var recorder in (LatencyRecorder[])[_listWhole, _listPaged, _openQuiet, _openBesideList, _openBesideNiceList, _callQuiet, _callBesideList, _resizeQuiet, _resizeWatched])
            {
                recorder.EndRound();
            }

            Console.Error.WriteLine($"round {round + 1}/{_arguments.Rounds} done");
        }
    }

    private async Task ListWholeAsync(LatencyRecorder recorder, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var reply = await _regions.ListAsync(new ListRequest(), cancellationToken: cancellationToken);
        recorder.Add(Stopwatch.GetTimestamp() - started);
        Check(reply.Regions.Count, "List");
    }

    private async Task ListPagedAsync(LatencyRecorder recorder, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var count = 0;
        var token = string.Empty;
        do
        {
            var page = await _regions.ListAsync(new ListRequest { PageSize = PageSize, PageToken = token }, cancellationToken: cancellationToken);
            count += page.Regions.Count;
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        recorder.Add(Stopwatch.GetTimestamp() - started);
        Check(count, "paged List");
    }

    /// <summary>
    /// Opens random regions read-only, one after another, for <paramref name="duration"/>, until
    /// the fd is in hand: with an OPEN message on the session socket, as the client library
    /// opens, or with an Open call (<paramref name="call"/>).
    /// </summary>
    private async Task OpenLoopAsync(LatencyRecorder recorder, TimeSpan duration, bool call, CancellationToken cancellationToken)
    {
        var random = new Random(42);
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            var name = _names[1 + random.Next(_names.Length - 1)];
            var started = Stopwatch.GetTimestamp();
            if (call)
            {
                var reply = await _regions.OpenAsync(new OpenRequest { Name = name, Access = Access.ReadOnly }, _opener.Headers, cancellationToken: cancellationToken);
                _opener.Take(reply.HandoffId).Dispose();
            }
            else
            {
                _opener.Open(name, Access.ReadOnly).Dispose();
            }

            recorder.Add(Stopwatch.GetTimestamp() - started);
        }
    }

    /// <summary>Open latency while another client process lists every region, back to back.</summary>
    private async Task OpenBesideListsAsync(ListLoopProcess lister, LatencyRecorder recorder, bool call, CancellationToken cancellationToken)
    {
        await lister.RunAsync();
        try
        {
            await OpenLoopAsync(recorder, _arguments.Phase, call, cancellationToken);
        }
        finally
        {
            var lists = await lister.PauseAsync();
            if (lister == _lister)
            {
                _listsBesideOpens += lists;
            }
            else
            {
                _listsBesideOpensNice += lists;
            }
        }
    }

    /// <summary>The resized region is mapped by nobody, so its shrinks commit at once, like its grows.</summary>
    private async Task ReleaseResizedRegionAsync(CancellationToken cancellationToken)
    {
        foreach (var session in (RawSession[])[_creator, _opener])
        {
            await _regions.CloseAsync(new CloseRequest { Name = _names[0] }, session.Headers, cancellationToken: cancellationToken);
        }
    }

    /// <summary>Grows the first region by a page and shrinks it back, each a measured Resize.</summary>
    private async Task ResizeLoopAsync(LatencyRecorder recorder, TimeSpan duration, CancellationToken cancellationToken)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var size = RegionSize;
        while (Stopwatch.GetTimestamp() < end)
        {
            size = size == RegionSize ? 2 * RegionSize : RegionSize;
            var started = Stopwatch.GetTimestamp();
            var reply = await _regions.ResizeAsync(new ResizeRequest { Name = _names[0], Size = size }, cancellationToken: cancellationToken);
            recorder.Add(Stopwatch.GetTimestamp() - started);
            if (reply.Size != size)
            {
                throw new InvalidOperationException($"resize to {size} answered size {reply.Size} (pending {reply.PendingSize}): someone maps the region");
            }
        }
    }

    /// <summary>Resize latency while every other region up to --watchers has a Watch stream of its own.</summary>
    private async Task ResizeWatchedAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        var watchers = new List<Task>(_arguments.Watchers);
        var calls = new List<AsyncServerStreamingCall<RegionEvent>>(_arguments.Watchers);
        try
        {
            for (var i = 1; i <= _arguments.Watchers; i++)
            {
                var call = _regions.Watch(new WatchRequest { Names = { _names[i] } }, cancellationToken: stop.Token);
                calls.Add(call);
                await call.ResponseHeadersAsync;
                watchers.Add(DrainAsync(call, stop.Token));
            }

            Console.Error.WriteLine($"{_arguments.Watchers} watch streams open after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
            await ResizeLoopAsync(_resizeWatched, _arguments.Phase, cancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(watchers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            calls.ForEach(c => c.Dispose());
        }

        static async Task DrainAsync(AsyncServerStreamingCall<RegionEvent> call, CancellationToken cancellationToken)
        {
            try
            {
                while (await call.ResponseStream.MoveNext(cancellationToken))
                {
                }
            }
            catch (RpcException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    private void Check(int count, string what)
    {
        if (count != _names.Length)
        {
            throw new InvalidOperationException($"{what} returned {count} regions, not {_names.Length}");
        }
    }

    private void Note(string state)
    {
        var pid = _daemon.Pid;
        var descriptors = Directory.GetFiles($"/proc/{pid}/fd").Length;
        var rss = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kib = long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        _footprint.Add((state, descriptors, kib * 1024));
    }

    private string Report()
    {
        var n = _names.Length.ToString("N0", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        var table = new ResultTable($"{n} regions");
        table.Add($"List of all {n} in one reply", _listWhole, null);
        table.Add($"List of all {n} in pages of {PageSize}", _listPaged, null);
        table.Add("Open read-only of a random region (OPEN on the session socket, as the client library opens, until the fd is in hand), alone", _openQuiet, null);
        table.Add($"same, beside another client process listing all regions back to back ({_listsBesideOpens:N0} Lists ran in both Open phases)", _openBesideList, null);
        table.Add($"same, that listing process at nice 19 (diagnostic: its own CPU left out; {_listsBesideOpensNice:N0} Lists ran)", _openBesideNiceList, null);
        table.Add("Open as a gRPC Open call (+ FD message), alone", _callQuiet, null);
        table.Add("same, beside the listing process", _callBesideList, null);
        table.Add("Resize of one region by a page (grow or shrink, nobody maps it), no watchers", _resizeQuiet, null);
        table.Add($"same, with {_arguments.Watchers:N0} Watch streams on other regions", _resizeWatched, null);
        text.Append(table).Append('\n');

        text.Append("| daemon | descriptors | RSS MiB |\n|---|---:|---:|\n");
        foreach (var (state, descriptors, rss) in _footprint)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {state} | {descriptors} | {rss / 1048576.0:0.0} |\n");
        }

        var (_, startFds, startRss) = _footprint[0];
        var (_, peakFds, peakRss) = _footprint[^1];
        text.Append(CultureInfo.InvariantCulture, $"\nper region: {(peakFds - startFds) / (double)_names.Length:0.000} descriptors, {(peakRss - startRss) / (double)_names.Length / 1024:0.0} KiB of RSS\n\n");

        var openRatio = _openBesideList.PercentileMicroseconds(0.99) / _openQuiet.PercentileMicroseconds(0.99);
        var resizeRatio = _resizeWatched.PercentileMicroseconds(0.50) / _resizeQuiet.PercentileMicroseconds(0.50);
        var resizeTail = _resizeWatched.PercentileMicroseconds(0.99) / _resizeQuiet.PercentileMicroseconds(0.99);
        text.Append(CultureInfo.InvariantCulture, $"""
            Targets (same run):
            - daemon descriptors with {n} regions each opened once both ways <= 2,000: {Verdict(peakFds <= 2000)} — {peakFds}
            - Open p99 beside a List loop <= 1.5 x alone: {Verdict(openRatio <= 1.5)} — {F(_openBesideList.PercentileMicroseconds(0.99))} / {F(_openQuiet.PercentileMicroseconds(0.99))} us = {openRatio:0.00}x (p50 {_openBesideList.PercentileMicroseconds(0.50) / _openQuiet.PercentileMicroseconds(0.50):0.00}x)
              - with the listing process at nice 19 (not the target's setting): p99 {_openBesideNiceList.PercentileMicroseconds(0.99) / _openQuiet.PercentileMicroseconds(0.99):0.00}x, p50 {_openBesideNiceList.PercentileMicroseconds(0.50) / _openQuiet.PercentileMicroseconds(0.50):0.00}x
              - Open calls instead (OpenOnSessionSocket = false): p99 {_callBesideList.PercentileMicroseconds(0.99) / _callQuiet.PercentileMicroseconds(0.99):0.00}x, p50 {_callBesideList.PercentileMicroseconds(0.50) / _callQuiet.PercentileMicroseconds(0.50):0.00}x
            - Resize latency with {_arguments.Watchers:N0} watchers of other regions <= 2 x with none: {Verdict(resizeRatio <= 2)} — p50 {F(_resizeWatched.PercentileMicroseconds(0.50))} / {F(_resizeQuiet.PercentileMicroseconds(0.50))} us = {resizeRatio:0.00}x (p99 {resizeTail:0.00}x)

            Per round (p50 us):

            """);
        foreach (var recorder in (LatencyRecorder[])[_listWhole, _listPaged, _openQuiet, _openBesideList, _openBesideNiceList, _callQuiet, _callBesideList, _resizeQuiet, _resizeWatched])
        {
            text.Append(CultureInfo.InvariantCulture, $"- {recorder.Name}: {string.Join(' ', recorder.RoundMediansMicroseconds.Select(F))} ({recorder.Count} samples)\n");
        }

        return text.ToString();

        static string Verdict(bool pass) => pass ? "PASS" : "FAIL";
        static string F(double microseconds) => ResultTable.Microseconds(microseconds);
    }
}
