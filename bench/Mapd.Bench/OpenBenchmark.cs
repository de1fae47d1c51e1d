using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Grpc.Net.Client;
using Mapd.Client;
using Mapd.Client.Internal;
using Mapd.Native;
using Mapd.Protocol.V1;

namespace Mapd.Bench;

/// <summary>
/// Open latency and opens/s against the real daemon, next to the costs an Open is made of,
/// measured in the same run: mapd's own no-op call (Regions/Ping), the cheapest call into the
/// regions (Regions/Get), and a bare SEQPACKET fd handoff between two processes. Every
/// open+dispose cycle sends Close (the client's close linger is off), and the same cycle with
/// the default 100 ms linger, which the next open of the name calls off, is reported beside it. Cross-core wake-ups in these VMs are slow and
/// the machine is shared, so absolute numbers drift from run to run; the scenarios therefore
/// run interleaved in rounds, and the targets compare ratios taken from the same rounds.
/// </summary>
internal sealed class OpenBenchmark : IAsyncDisposable
{
    private const long SmallRegion = 2L << 20;
    private const long LargeRegion = 1L << 30;
    private const string LargeName = "bench-1g";

    /// <summary>Opens per caller in one burst of the open-only rate: enough that ramp-up and ramp-down stay small.</summary>
    private const int BurstPerCaller = 16;

    private readonly BenchArguments _arguments;
    private readonly MapdDaemon _daemon;
    private readonly Process _self = Process.GetCurrentProcess();
    private readonly MapdClient _client;
    private readonly MapdClient _lingering;
    private readonly MapdClient _calling;
    private readonly MapdClient[] _clients;
    private readonly GrpcChannel _pingChannel;
    private readonly Regions.RegionsClient _ping;
    private readonly GrpcChannel[] _pingChannels;
    private readonly Regions.RegionsClient[] _pings;
    private readonly HandoffClient _handoff;
    private readonly RawSession _raw;
    // A session that never sends TAKEN: the floor row's, and --taken-experiment's.
    private readonly RawSession _rawWithoutTaken;
    private readonly string[] _names;
    private readonly PingRequest _pingRequest = new();

    private readonly LatencyRecorder _noopLatency = new("Regions/Ping");
    private readonly ThroughputRecorder _noopRate = new("Regions/Ping");
    private readonly ThroughputRecorder _noopRateSeparate = new("Regions/Ping, separate channels");
    private readonly ThroughputRecorder _rawRate = new("raw Open+Close, inline fd receive");
    private readonly ThroughputRecorder _rawRateWithoutTaken = new("raw Open+Close, inline fd receive, no TAKEN");
    private readonly ThroughputRecorder _openFloor = new("Open floor: raw Open, inline fd receive, no TAKEN, no Close");
    private readonly LatencyRecorder _handoffRoundTrip = new("bare handoff (round trip)");
    private readonly LatencyRecorder _handoffOneWay = new("bare handoff (one way)");
    private readonly LatencyRecorder _openSmall = new("Open 2 MiB");
    private readonly LatencyRecorder _disposeSmall = new("dispose 2 MiB");
    private readonly LatencyRecorder _openLarge = new("Open 1 GiB");
    private readonly ThroughputRecorder _openRateShared = new("Open+dispose+Close, one MapdClient");
    private readonly ThroughputRecorder _openRateLingering = new("Open+dispose, 100 ms close linger");
    private readonly ThroughputRecorder _openRateSeparate = new("Open+dispose+Close, separate MapdClients");
    private readonly ThroughputRecorder _openRateCalls = new("Open+dispose+Close, one MapdClient, Open calls");
    private readonly LatencyRecorder _get = new("Regions/Get");
    private readonly ThroughputRecorder _getRate = new("Regions/Get");
    private readonly ThroughputRecorder _openOnlyRate = new("Open only, one MapdClient");
    private readonly LatencyRecorder _rawRpc = new("raw Open RPC");
    private readonly LatencyRecorder _rawTotal = new("raw Open total");
    private readonly List<Scenario> _scenarios;

    private OpenBenchmark(
        BenchArguments arguments,
        MapdDaemon daemon,
        MapdClient client,
        MapdClient lingering,
        MapdClient calling,
        MapdClient[] clients,
        GrpcChannel pingChannel,
        GrpcChannel[] pingChannels,
        HandoffClient handoff,
        RawSession raw,
        RawSession rawWithoutTaken,
        string[] names)
    {
        _arguments = arguments;
        _daemon = daemon;
        _client = client;
        _lingering = lingering;
        _calling = calling;
        _clients = clients;
        _pingChannel = pingChannel;
        _ping = new Regions.RegionsClient(pingChannel);
        _pingChannels = pingChannels;
        _pings = [.. pingChannels.Select(c => new Regions.RegionsClient(c))];
        _handoff = handoff;
        _raw = raw;
        _rawWithoutTaken = rawWithoutTaken;
        _names = names;
        _scenarios =
        [
            Sequential("Ping latency", NoopAsync, _noopLatency),
            Concurrent("Ping rate", NoopRateAsync, _noopRate),
            Concurrent("Ping rate, separate channels", async (i, ct) => await _pings[i].PingAsync(_pingRequest, cancellationToken: ct), _noopRateSeparate),
            Sequential("bare handoff latency", HandoffAsync, _handoffRoundTrip, _handoffOneWay),
            // Library and raw opens alternate in one loop, so their difference is paired: measured
            // under the same load, not seconds apart on a machine whose load comes and goes.
            Sequential("Open 2 MiB latency", async ct =>
            {
                await OpenOnceAsync(_names[0], _openSmall, _disposeSmall, ct);
                await RawOpenAsync(_raw, _names[0], record: true, close: true, ct);
            }, _openSmall, _disposeSmall, _rawRpc, _rawTotal),
            Sequential("Open 1 GiB latency", ct => OpenOnceAsync(LargeName, _openLarge, null, ct), _openLarge),
            Concurrent("Open rate, one client", (i, ct) => OpenCycleAsync(_client, i, _openRateShared, ct), _openRateShared),
            Concurrent("Open rate, lingering close", (i, ct) => OpenCycleAsync(_lingering, i, _openRateLingering, ct), _openRateLingering),
            Concurrent("Open rate, separate clients", (i, ct) => OpenCycleAsync(_clients[i], i, _openRateSeparate, ct), _openRateSeparate),
            Concurrent("Open rate, Open calls", (i, ct) => OpenCycleAsync(_calling, i, _openRateCalls, ct), _openRateCalls),
            Sequential("Get latency", GetAsync, _get),
            Concurrent("Get rate", GetRateAsync, _getRate),
            OpenBursts("Open-only rate", _openOnlyRate),
            Concurrent("raw Open rate", (i, ct) => RawOpenAsync(_raw, _names[i], record: false, close: true, ct), _rawRate),
            Concurrent("Open floor rate", (i, ct) => RawOpenAsync(_rawWithoutTaken, _names[i], record: false, close: false, ct), _openFloor),
        ];
        if (arguments.TakenExperiment)
        {
            _scenarios.Add(Concurrent("raw Open rate without TAKEN", (i, ct) => RawOpenAsync(_rawWithoutTaken, _names[i], record: false, close: true, ct), _rawRateWithoutTaken));
        }

        var only = arguments.Only?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        _scenarios.RemoveAll(s => only is not null && !only.Any(o => s.Name.Contains(o, StringComparison.OrdinalIgnoreCase)));
        if (_scenarios.Count == 0)
        {
            throw new ArgumentException($"no scenario matches --only '{arguments.Only}'; the scenarios are the lines of the tables");
        }
    }

    /// <summary>Starts the daemon, measures, prints the tables, and cleans up whatever happens.</summary>
    public static async Task<int> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        var daemonPath = arguments.DaemonPath ?? TestEnvironment.ReleaseDaemonDll;
        Console.WriteLine(BenchMachine.Describe("mapd Open benchmark", daemonPath));

        await using var daemon = await MapdDaemon.StartAsync(BenchDaemon.Options(daemonPath, new Dictionary<string, string>()), cancellationToken);
        try
        {
            await using var bench = await SetUpAsync(arguments, daemon, cancellationToken);
            await bench.MeasureAsync(cancellationToken);
            Console.WriteLine(bench.Report());
            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"Mapd.Bench: {e}\nlast daemon output:\n{daemon.Log}");
            return 1;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _self.Dispose();
        _raw.Dispose();
        _rawWithoutTaken.Dispose();
        _handoff.Dispose();
        _pingChannel.Dispose();
        foreach (var channel in _pingChannels)
        {
            channel.Dispose();
        }

        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        await _lingering.DisposeAsync();
        await _calling.DisposeAsync();
        await _client.DisposeAsync();
    }

    private static async Task<OpenBenchmark> SetUpAsync(BenchArguments arguments, MapdDaemon daemon, CancellationToken cancellationToken)
    {
        // Close on every dispose: the cycle the rates name sends Close. The lingering client keeps
        // the default, to show what the linger saves when a name is opened again at once.
        var options = new MapdClientOptions { SocketDirectory = daemon.SocketDirectory, CloseLinger = TimeSpan.Zero };
        var client = await MapdClient.ConnectAsync(options, cancellationToken);
        MapdClient? lingering = null;
        MapdClient? calling = null;
        var clients = new List<MapdClient>();
        HandoffClient? handoff = null;
        RawSession? raw = null;
        RawSession? rawWithoutTaken = null;
        GrpcChannel? pingChannel = null;
        var pingChannels = new List<GrpcChannel>();
        try
        {
            // One region per concurrent caller: the client counts opens per name and only the
            // last dispose of a name sends Close, so sharing one name would skip most Closes.
            var names = Enumerable.Range(0, arguments.Concurrency).Select(i => $"bench-2m-{i:D2}").ToArray();
            foreach (var name in names)
            {
                await (await client.CreateAsync(name, SmallRegion, cancellationToken: cancellationToken)).DisposeAsync();
            }

            await (await client.CreateAsync(LargeName, LargeRegion, cancellationToken: cancellationToken)).DisposeAsync();
            lingering = await MapdClient.ConnectAsync(options with { CloseLinger = new MapdClientOptions().CloseLinger }, cancellationToken);
            calling = await MapdClient.ConnectAsync(options with { OpenOnSessionSocket = false }, cancellationToken);
            for (var i = 0; i < arguments.Concurrency; i++)
            {
                clients.Add(await MapdClient.ConnectAsync(options, cancellationToken));
            }

            // Built as MapdClient builds its own, so the no-op baseline pays the transport costs Open pays.
            var grpcPath = Path.Join(daemon.SocketDirectory, SocketLocation.GrpcSocketName);
            pingChannel = MapdChannel.Create(grpcPath, options.ConnectTimeout);
            handoff = await HandoffClient.StartAsync(daemon.SocketDirectory, SmallRegion, cancellationToken);
            var sessionPath = Path.Join(daemon.SocketDirectory, SocketLocation.SessionSocketName);
            raw = RawSession.Connect(sessionPath);
            rawWithoutTaken = RawSession.Connect(sessionPath, acknowledge: false);
            for (var i = 0; i < arguments.Concurrency; i++)
            {
                pingChannels.Add(MapdChannel.Create(grpcPath, options.ConnectTimeout));
            }

            return new OpenBenchmark(arguments, daemon, client, lingering, calling, [.. clients], pingChannel, [.. pingChannels], handoff, raw, rawWithoutTaken, names);
        }
        catch
        {
            raw?.Dispose();
            rawWithoutTaken?.Dispose();
            handoff?.Dispose();
            pingChannel?.Dispose();
            foreach (var channel in pingChannels)
            {
                channel.Dispose();
            }

            foreach (var other in clients)
            {
                other.Dispose();
            }

            lingering?.Dispose();
            calling?.Dispose();
            client.Dispose();
            throw;
        }
    }

    private async Task MeasureAsync(CancellationToken cancellationToken)
    {
        await WarmUpAsync(cancellationToken);
        var segment = Ticks(_arguments.Measure / _arguments.Rounds / _scenarios.Count);
        for (var round = 0; round < _arguments.Rounds; round++)
        {
            // Rotate the order so that no scenario always follows the same neighbour.
            for (var k = 0; k < _scenarios.Count; k++)
            {
                var scenario = _scenarios[(round + k) % _scenarios.Count];
                await scenario.Run(segment, cancellationToken);
                scenario.EndRound();
            }

            Console.Error.WriteLine($"round {round + 1}/{_arguments.Rounds} done");
        }
    }

    /// <summary>
    /// Runs every scenario in short passes, unrecorded, until at least --warmup has passed and
    /// three passes in a row agree within 15% on every rate and median (or 3x --warmup passed).
    /// Measured here: the gRPC stacks of both processes need 10-20 s of load before tiered JIT
    /// (tier-0, instrumented tier-0, then tier-1 with PGO, compiled in the background on the
    /// same 2 vCPUs) stops changing the numbers; a fixed 2 s warm-up left the first rounds at a
    /// fifth of the steady no-op rate. First touch of new memory is slow in these VMs too.
    /// </summary>
    private async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var segment = Ticks(TimeSpan.FromSeconds(0.3));
        var start = Stopwatch.GetTimestamp();
        double[]? previous = null;
        var streak = 0;
        for (var pass = 1; ; pass++)
        {
            foreach (var scenario in _scenarios)
            {
                await scenario.Run(segment, cancellationToken);
                scenario.EndRound();
            }

            var current = _scenarios.SelectMany(s => s.LastRound()).ToArray();
            foreach (var scenario in _scenarios)
            {
                scenario.Clear();
            }

            var elapsed = Stopwatch.GetElapsedTime(start);
            var settled = previous is not null && current.Zip(previous).All(p => Math.Abs(p.First - p.Second) <= 0.15 * p.Second);
            streak = settled ? streak + 1 : 0;
            Console.Error.WriteLine($"warm-up pass {pass} ({elapsed.TotalSeconds:0} s): {(settled ? "settled" : "still changing")}");
            if (elapsed >= _arguments.Warmup && streak >= 2)
            {
                WarmupNote = $"warm-up: {elapsed.TotalSeconds:0} s, {pass} passes, until three passes agreed within 15%";
                return;
            }

            if (elapsed >= 3 * _arguments.Warmup)
            {
                WarmupNote = $"warm-up: {elapsed.TotalSeconds:0} s, {pass} passes, and the numbers still moved by more than 15% between passes: expect noise";
                return;
            }

            previous = current;
        }
    }

    private string WarmupNote { get; set; } = "";

    private string Report()
    {
        var c = _arguments.Concurrency;
        var main = new ResultTable("operation");
        main.Add($"no-op RPC (Regions/Ping); ops/s with {c} concurrent callers", _noopLatency, _noopRate);
        main.Add($"Regions/Get (into the regions, no session, no fd); ops/s with {c} concurrent callers", _get, _getRate);
        main.Add("bare fd handoff, 2 processes: request, SCM_RIGHTS fd, mmap, munmap, close (round trip)", _handoffRoundTrip, null);
        main.Add("bare fd handoff, one way: peer's sendmsg to munmap + close", _handoffOneWay, null);
        main.Add($"Open 2 MiB read-only (OPEN on the session socket, OPENED + fd, mmap); ops/s = open+dispose+Close cycles, {c} tasks on one MapdClient", _openSmall, _openRateShared);
        main.Add($"Open 2 MiB, ops/s = open+dispose cycles with the 100 ms close linger (the next open of the name calls the Close off)", null, _openRateLingering);
        main.Add($"Open 2 MiB, ops/s = open+dispose+Close cycles on {c} separate MapdClients", null, _openRateSeparate);
        main.Add($"Open 2 MiB as an Open call (OpenOnSessionSocket = false: gRPC Open + FD message), ops/s = open+dispose+Close cycles, {c} tasks on one MapdClient", null, _openRateCalls);
        main.Add("Open 1 GiB read-only (OPEN on the session socket, OPENED + fd, mmap)", _openLarge, null);

        var breakdown = new ResultTable("where Open's time goes (sequential)");
        breakdown.Add("dispose of a 2 MiB region (munmap, and its CLOSE frame on the session socket)", _disposeSmall, null);
        breakdown.Add("raw Open, until the gRPC reply (daemon side; FD already queued)", _rawRpc, null);
        breakdown.Add("raw Open, reply + recvmsg + TAKEN + mmap on the calling thread", _rawTotal, null);
        var libraryP50 = _openSmall.PercentileMicroseconds(0.50) - _rawTotal.PercentileMicroseconds(0.50);
        breakdown.Add("MapdClient.OpenAsync p50 (an OPEN, the library's receiver thread and hand-over) minus raw Open call p50 (opens alternate; below 0: what OPEN saves over the call)", libraryP50, double.NaN, double.NaN);

        var noop = _noopLatency.PercentileMicroseconds(0.50);
        var handoff = _handoffRoundTrip.PercentileMicroseconds(0.50);
        var oneWay = _handoffOneWay.PercentileMicroseconds(0.50);
        var open = _openSmall.PercentileMicroseconds(0.50);
        var latencyRatio = open / (noop + handoff);
        var get = _get.PercentileMicroseconds(0.50);
        var getRatio = Ratio(_openRateShared, _getRate);

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{WarmupNote}; then {_arguments.Rounds} rounds of {_scenarios.Count} interleaved scenarios, {_arguments.Measure.TotalSeconds:0} s in total\n\n");
        text.Append(main).Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"""
            Targets (same run):
            - opens/s with Close >= 0.5 x Regions/Get calls/s: {Verdict(getRatio, getRatio >= 0.5)} — {ResultTable.Rate(_openRateShared.OperationsPerSecond)} / {ResultTable.Rate(_getRate.OperationsPerSecond)} = {getRatio:0.00}x (limit 0.50x)
              - median of the per-round ratios: {MedianRatio(_openRateShared, _getRate):0.00}x; by CPU cost (Get CPU/op over Open+dispose+Close CPU/op, both processes; unaffected by other load on the machine): {CpuRatio(_openRateShared, _getRate):0.00}x
              - against Regions/Ping: {Ratio(_openRateShared, _noopRate):0.00}x (by CPU {CpuRatio(_openRateShared, _noopRate):0.00}x); with the 100 ms linger against Get: {Ratio(_openRateLingering, _getRate):0.00}x; Open alone, Close untimed: {Ratio(_openOnlyRate, _getRate):0.00}x
              - Open calls instead of OPEN messages (OpenOnSessionSocket = false), the same cycle: {Ratio(_openRateCalls, _getRate):0.00}x (by CPU {CpuRatio(_openRateCalls, _getRate):0.00}x)
              - the floor of an Open call with nothing after it (raw session, descriptor read inline by the caller, no TAKEN, no Close, no client library): {Ratio(_openFloor, _getRate):0.00}x (by CPU {CpuRatio(_openFloor, _getRate):0.00}x)
              - {c} MapdClients against {c} Ping channels: {Ratio(_openRateSeparate, _noopRateSeparate):0.00}x (by CPU {CpuRatio(_openRateSeparate, _noopRateSeparate):0.00}x)
            - Open p50 <= 2 x (Regions/Ping p50 + bare handoff p50): {Verdict(latencyRatio, latencyRatio <= 2)} — {F(open)} us / ({F(noop)} + {F(handoff)}) us = {latencyRatio:0.00}x (limit 2.00x)
              - with the one-way handoff: {open / (noop + oneWay):0.00}x; with Regions/Get ({F(get)} us) as the no-op: {open / (get + handoff):0.00}x

            """);
        text.Append('\n').Append(breakdown).Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"| {c} concurrent callers | ops/s | bench CPU us/op | daemon CPU us/op | refused opens |\n|---|---:|---:|---:|---:|\n");
        foreach (var (label, recorder) in (ReadOnlySpan<(string, ThroughputRecorder)>)[
            ("Regions/Ping", _noopRate),
            ($"Regions/Ping, {c} separate channels (connections)", _noopRateSeparate),
            ("Regions/Get", _getRate),
            ($"Open only, one MapdClient (bursts of {BurstPerCaller} per caller, disposed untimed)", _openOnlyRate),
            ("Open + dispose + Close cycle, one MapdClient", _openRateShared),
            ("Open + dispose cycle, 100 ms close linger", _openRateLingering),
            ($"Open + dispose + Close cycle, {c} MapdClients", _openRateSeparate),
            ("Open + dispose + Close cycle, one MapdClient, Open calls (OpenOnSessionSocket = false)", _openRateCalls),
            ("Open + Close cycle, bench's raw session, fd read inline by the caller (no receiver thread)", _rawRate),
            ("same, on a session that never sends TAKEN (--taken-experiment)", _rawRateWithoutTaken),
            ("floor of an Open call: raw Open, fd read inline, no TAKEN, no Close (nothing a cycle of Open calls can go below)", _openFloor)])
        {
            text.Append(CultureInfo.InvariantCulture, $"| {label} | {ResultTable.Rate(recorder.OperationsPerSecond)} | {F(recorder.BenchCpuPerOperation)} | {F(recorder.DaemonCpuPerOperation)} | {recorder.Refused} |\n");
        }

        text.Append('\n');
        text.Append("Per round (p50 us, or ops/s), to judge the noise:\n");
        foreach (var recorder in (LatencyRecorder[])[_noopLatency, _handoffRoundTrip, _openSmall, _openLarge, _rawRpc, _rawTotal])
        {
            text.Append(CultureInfo.InvariantCulture, $"- {recorder.Name}: {string.Join(' ', recorder.RoundMediansMicroseconds.Select(F))} ({recorder.Count} samples)\n");
        }

        foreach (var recorder in (ThroughputRecorder[])[_noopRate, _noopRateSeparate, _getRate, _openOnlyRate, _openRateShared, _openRateLingering, _openRateSeparate, _openRateCalls, _rawRate, _rawRateWithoutTaken, _openFloor])
        {
            text.Append(CultureInfo.InvariantCulture, $"- {recorder.Name}: {string.Join(' ', recorder.RoundRates.Select(ResultTable.Rate))}\n");
        }

        return text.ToString();

        static double Ratio(ThroughputRecorder open, ThroughputRecorder baseline) => open.OperationsPerSecond / baseline.OperationsPerSecond;

        static double CpuRatio(ThroughputRecorder open, ThroughputRecorder baseline) =>
            (baseline.BenchCpuPerOperation + baseline.DaemonCpuPerOperation) / (open.BenchCpuPerOperation + open.DaemonCpuPerOperation);

        // Each round measures both rates within seconds of each other, so a burst of load from
        // someone else on the machine skews one round's ratio rather than the whole run's.
        static double MedianRatio(ThroughputRecorder open, ThroughputRecorder baseline)
        {
            var ratios = open.RoundRates.Zip(baseline.RoundRates, (o, b) => o / b).Order().ToArray();
            return ratios.Length == 0 ? double.NaN : ratios[ratios.Length / 2];
        }

        static string Verdict(double ratio, bool pass) => double.IsNaN(ratio) ? "NOT MEASURED" : pass ? "PASS" : "FAIL";
        static string F(double microseconds) => ResultTable.Microseconds(microseconds);
    }


    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    /// <summary>One caller, one operation at a time, until the segment's time is up; the operation records its own latencies.</summary>
    private static Scenario Sequential(string name, Func<CancellationToken, ValueTask> operation, params LatencyRecorder[] recorders) =>
        new(name, async (ticks, cancellationToken) =>
        {
            var deadline = Stopwatch.GetTimestamp() + ticks;
            while (Stopwatch.GetTimestamp() < deadline && !recorders[0].IsFull)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await operation(cancellationToken);
            }
        }, recorders, null);

    /// <summary>
    /// <see cref="BenchArguments.Concurrency"/> callers in a closed loop until the segment's time
    /// is up; the rate is operations over the time until the last caller finished its last one.
    /// </summary>
    private Scenario Concurrent(string name, Func<int, CancellationToken, ValueTask> operation, ThroughputRecorder recorder) =>
        new(name, async (ticks, cancellationToken) =>
        {
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var deadline = long.MaxValue;
            var counts = new long[_arguments.Concurrency];
            var workers = Enumerable.Range(0, _arguments.Concurrency).Select(i => Task.Run(async () =>
            {
                await go.Task;
                var count = 0L;
                while (Stopwatch.GetTimestamp() < Volatile.Read(ref deadline))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    await operation(i, cancellationToken);
                    count++;
                }

                counts[i] = count;
            }, cancellationToken)).ToArray();

            var cpu = CpuNow();
            var start = Stopwatch.GetTimestamp();
            Volatile.Write(ref deadline, start + ticks);
            go.SetResult();
            await Task.WhenAll(workers);
            var elapsed = Stopwatch.GetTimestamp() - start;
            var (bench, daemon) = CpuNow();
            recorder.Add(counts.Sum(), elapsed, bench - cpu.Bench, daemon - cpu.Daemon);
        }, [], recorder);

    /// <summary>
    /// Open throughput without Close: each caller opens its region <see cref="BurstPerCaller"/>
    /// times while the clock runs; the mappings are disposed (one Close per name, since the
    /// client counts opens per name) after the clock stops. Shows how much of the open+dispose
    /// cycle Close and munmap cost.
    /// </summary>
    private Scenario OpenBursts(string name, ThroughputRecorder recorder) =>
        new(name, async (ticks, cancellationToken) =>
        {
            var deadline = Stopwatch.GetTimestamp() + ticks;
            var regions = new MappedRegion[_arguments.Concurrency][];
            long operations = 0, timed = 0;
            TimeSpan benchCpu = default, daemonCpu = default;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var cpu = CpuNow();
                var start = Stopwatch.GetTimestamp();
                await Task.WhenAll(Enumerable.Range(0, _arguments.Concurrency).Select(i => Task.Run(async () =>
                {
                    regions[i] = new MappedRegion[BurstPerCaller];
                    for (var k = 0; k < BurstPerCaller; k++)
                    {
                        regions[i][k] = await OpenCountingRefusalsAsync(_client, _names[i], recorder, cancellationToken);
                    }
                }, cancellationToken)));
                timed += Stopwatch.GetTimestamp() - start;
                var (bench, daemon) = CpuNow();
                benchCpu += bench - cpu.Bench;
                daemonCpu += daemon - cpu.Daemon;
                operations += _arguments.Concurrency * BurstPerCaller;
                foreach (var region in regions.SelectMany(r => r))
                {
                    await region.DisposeAsync();
                }
            }

            recorder.Add(operations, timed, benchCpu, daemonCpu);
        }, [], recorder);

    private (TimeSpan Bench, TimeSpan Daemon) CpuNow()
    {
        _self.Refresh();
        return (_self.TotalProcessorTime, _daemon.CpuTime());
    }

    private async ValueTask NoopAsync(CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        await _ping.PingAsync(_pingRequest, cancellationToken: cancellationToken);
        _noopLatency.Add(Stopwatch.GetTimestamp() - start);
    }

    private async ValueTask NoopRateAsync(int worker, CancellationToken cancellationToken) =>
        await _ping.PingAsync(_pingRequest, cancellationToken: cancellationToken);

    private ValueTask HandoffAsync(CancellationToken cancellationToken)
    {
        _handoffRoundTrip.Add(_handoff.RoundTrip(out var oneWay));
        _handoffOneWay.Add(oneWay);
        return ValueTask.CompletedTask;
    }

    private async ValueTask OpenOnceAsync(string name, LatencyRecorder open, LatencyRecorder? dispose, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var region = await _client.OpenAsync(name, RegionAccess.ReadOnly, cancellationToken);
        var opened = Stopwatch.GetTimestamp();
        await region.DisposeAsync();
        open.Add(opened - start);
        dispose?.Add(Stopwatch.GetTimestamp() - opened);
    }

    private async ValueTask OpenCycleAsync(MapdClient client, int worker, ThroughputRecorder recorder, CancellationToken cancellationToken)
    {
        // DisposeAsync, not Dispose: should the session socket be full, a CLOSE waits for room off the pool's threads.
        var region = await OpenCountingRefusalsAsync(client, _names[worker], recorder, cancellationToken);
        await region.DisposeAsync();
    }

    /// <summary>
    /// Opens read-only, retrying RESOURCE_EXHAUSTED, which the daemon answers when more than
    /// Mapd:Limits:MaxUnreadFds descriptors wait in the session's socket (the client's receiver
    /// thread fell behind). The refusals are counted and reported.
    /// </summary>
    private static async Task<MappedRegion> OpenCountingRefusalsAsync(MapdClient client, string name, ThroughputRecorder recorder, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await client.OpenAsync(name, RegionAccess.ReadOnly, cancellationToken);
            }
            catch (MapdException e) when (e.Code == Grpc.Core.StatusCode.ResourceExhausted)
            {
                recorder.AddRefused();
                await Task.Yield();
            }
        }
    }

    private async ValueTask GetAsync(CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        await _client.Grpc.GetAsync(new GetRequest { Name = _names[0] }, cancellationToken: cancellationToken);
        _get.Add(Stopwatch.GetTimestamp() - start);
    }

    private async ValueTask GetRateAsync(int worker, CancellationToken cancellationToken) =>
        await _client.Grpc.GetAsync(new GetRequest { Name = _names[worker] }, cancellationToken: cancellationToken);

    private async ValueTask RawOpenAsync(RawSession raw, string name, bool record, bool close, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var reply = await _client.Grpc.OpenAsync(new OpenRequest { Name = name, Access = Access.ReadOnly }, raw.Headers, cancellationToken: cancellationToken);
        var replied = Stopwatch.GetTimestamp();
        using (var descriptor = raw.Take(reply.HandoffId))
        {
            MemoryMapping.MapShared(descriptor, (long)reply.Region.Size, writable: false).Dispose();
        }

        if (record)
        {
            _rawTotal.Add(Stopwatch.GetTimestamp() - start);
            _rawRpc.Add(replied - start);
        }

        if (close)
        {
            await _client.Grpc.CloseAsync(new CloseRequest { Name = name }, raw.Headers, cancellationToken: cancellationToken);
        }
    }

    /// <summary>One measured activity and the recorders it fills.</summary>
    private sealed record Scenario(string Name, Func<long, CancellationToken, Task> Run, LatencyRecorder[] Latencies, ThroughputRecorder? Rate)
    {
        public void EndRound()
        {
            foreach (var latency in Latencies)
            {
                latency.EndRound();
            }
        }

        public void Clear()
        {
            foreach (var latency in Latencies)
            {
                latency.Clear();
            }

            Rate?.Clear();
        }

        /// <summary>The last round's medians and rate, to tell whether warm-up has settled.</summary>
        public IEnumerable<double> LastRound()
        {
            foreach (var latency in Latencies)
            {
                if (latency.RoundMediansMicroseconds.Count > 0)
                {
                    yield return latency.RoundMediansMicroseconds[^1];
                }
            }

            if (Rate is { RoundRates.Count: > 0 })
            {
                yield return Rate.RoundRates[^1];
            }
        }
    }
}
