using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Mapd.Client;
using Mapd.Native;

namespace Mapd.Bench;

/// <summary>
/// Online grow of a region (1 GiB to 2 GiB by default) with client processes mapping it and
/// reader threads reading it, against two baselines measured in the same run: a copy-based
/// resize and a stop-the-world remap under a reader-writer lock. For each page kind (a 4 KiB
/// tmpfs and a <c>huge=within_size</c> tmpfs, both mounted fresh) it reports the time until
/// every client serves the new size, the readers' 4 KiB-read latency idle and during resizes,
/// the bytes copied and what the grow added to the filesystem's used bytes.
/// </summary>
internal sealed class ResizeBenchmark
{
    private const string RegionName = "resize-bench";
    private const long BaselineMountSize = 5L << 30;
    private const long StorageMountSize = 6L << 30;
    private const string MountPrefix = "/tmp/mapd-resize-";

    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CommitTimeout = TimeSpan.FromSeconds(60);

    private readonly ResizeArguments _arguments;
    private readonly List<RoundRecord> _rounds = [];
    private readonly Dictionary<string, LatencyHistogram[]> _readers = [];
    private readonly Dictionary<string, long> _hugeBacked = [];
    private readonly Dictionary<string, List<double>> _getMilliseconds = [];
    private readonly Dictionary<string, (long Before, long After, long Applied)> _quietGrow = [];

    private ResizeBenchmark(ResizeArguments arguments) => _arguments = arguments;

    public static async Task<int> RunAsync(ResizeArguments arguments, CancellationToken cancellationToken)
    {
        if (ProcessIdentity.Uid != 0)
        {
            Console.Error.WriteLine("Mapd.Bench resize mounts tmpfs filesystems and needs root");
            return 2;
        }

        RemoveStaleMounts();
        var benchmark = new ResizeBenchmark(arguments);
        var daemonPath = arguments.DaemonPath ?? TestEnvironment.ReleaseDaemonDll;
        var started = DateTimeOffset.UtcNow;
        var loadBefore = LoadAverage();
        Console.WriteLine($"# resize: {Size(arguments.BaseSize)} -> {Size(arguments.GrowSize)}, {arguments.Clients} client processes x {arguments.Threads} reader threads reading {(arguments.ReadNew ? "old and new bytes" : "old bytes")}, {arguments.Rounds} rounds (+{arguments.WarmupRounds} warm-up) per scenario and page kind");
        Console.WriteLine($"# {MachineNotes()}, load before: {loadBefore}");

        if (arguments.WarmBytes > 0)
        {
            var warm = Stopwatch.GetTimestamp();
            WarmMemory(arguments.WarmBytes);
            Console.WriteLine($"# touched {Size(arguments.WarmBytes)} of anonymous memory once first: {Stopwatch.GetElapsedTime(warm).TotalSeconds:0.0} s");
        }

        foreach (var pages in arguments.Pages)
        {
            await benchmark.RunPagesAsync(pages, daemonPath, cancellationToken);
        }

        var loadAfter = LoadAverage();
        var report = benchmark.Report(started, loadBefore, loadAfter);
        Console.WriteLine();
        Console.WriteLine(report);
        benchmark.WriteFiles(started, report);
        return 0;
    }

    /// <summary>Writes every byte of a mapping (so its pages exist), a different value per page.</summary>
    public static unsafe void Fill(nint address, long length)
    {
        for (long offset = 0; offset < length; offset += ReadSource.ReadSize)
        {
            new Span<byte>((byte*)address + offset, ReadSource.ReadSize).Fill((byte)(offset / ReadSource.ReadSize));
        }
    }

    private static string Size(long bytes) => ByteSize.Format((ulong)bytes);

    private async Task RunPagesAsync(string pages, string daemonPath, CancellationToken cancellationToken)
    {
        var huge = pages == "huge" ? "within_size" : "never";
        var root = $"{MountPrefix}{Environment.ProcessId}";
        var storagePath = Path.Join(root, $"storage-{pages}");
        var baselinePath = Path.Join(root, $"baseline-{pages}");
        var controlPath = $"/dev/shm/mapd-resize-{Environment.ProcessId}-control";
        Directory.CreateDirectory(storagePath);
        Directory.CreateDirectory(baselinePath);
        Console.WriteLine($"\n## {pages} pages: tmpfs huge={huge} at {storagePath} (mapd) and {baselinePath} (baselines)");

        MapdDaemon? daemon = null;
        MapdClient? admin = null;
        ResizeControl? control = null;
        var clients = new List<ResizeClientProcess>();
        DirectoryHandle? baselineDirectory = null;
        CopyBaseline? copy = null;
        StopTheWorldBaseline? stopTheWorld = null;
        ReaderPool? copyReaders = null;
        ReaderPool? lockReaders = null;
        var baselineMounted = false;
        try
        {
            Tmpfs.Mount(baselinePath, BaselineMountSize, 0b111_000_000, huge);
            baselineMounted = true;
            daemon = await MapdDaemon.StartAsync(BenchDaemon.Options(daemonPath, new Dictionary<string, string>
            {
                ["Mapd:Storage:Path"] = storagePath,
                ["Mapd:Storage:Mount"] = "true",
                ["Mapd:Storage:HugePages"] = huge,
                ["Mapd:Storage:Size"] = StorageMountSize.ToString(CultureInfo.InvariantCulture),
            }), cancellationToken);
            admin = await MapdClient.ConnectAsync(new MapdClientOptions { SocketDirectory = daemon.SocketDirectory }, cancellationToken);

            var fill = Stopwatch.GetTimestamp();
            var hugeBefore = ShmemHugeBytes();
            await using (var region = await admin.CreateAsync(RegionName, _arguments.BaseSize, cancellationToken: cancellationToken))
            {
                using var lease = region.AcquireLease();
                Fill(lease.Address, lease.Length);
            }

            _hugeBacked[pages] = ShmemHugeBytes() - hugeBefore;
            Console.WriteLine($"created and filled the region: {Stopwatch.GetElapsedTime(fill).TotalSeconds:0.0} s; ShmemHugePages grew by {Size(_hugeBacked[pages])}");

            control = ResizeControl.Open(controlPath, create: true);
            control.Phase = ReadPhase.Other;
            control.Scenario = ResizeScenario.Copy;
            string[] clientArguments =
            [
                "--socket", daemon.SocketDirectory, "--name", RegionName, "--control", controlPath,
                "--threads", Invariant(_arguments.Threads), "--batch", Invariant(_arguments.Batch),
                "--pause-ms", Invariant(_arguments.PauseMilliseconds), "--base", Invariant(_arguments.BaseSize),
                "--read", _arguments.ReadNew ? "new" : "old",
            ];
            var starting = Enumerable.Range(0, _arguments.Clients).Select(_ => ResizeClientProcess.StartAsync(clientArguments, cancellationToken)).ToList();
            try
            {
                await Task.WhenAll(starting);
            }
            finally
            {
                clients.AddRange(starting.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result));
            }

            await OpenAllAsync(clients, "reserve", cancellationToken);

            baselineDirectory = DirectoryHandle.Open(baselinePath);
            var baselineFill = Stopwatch.GetTimestamp();
            copy = CopyBaseline.Create(baselineDirectory, _arguments.BaseSize);
            stopTheWorld = StopTheWorldBaseline.Create(baselineDirectory, _arguments.BaseSize);
            Console.WriteLine($"filled the baselines' files: {Stopwatch.GetElapsedTime(baselineFill).TotalSeconds:0.0} s");
            var readerThreads = _arguments.Clients * _arguments.Threads;
            copyReaders = new ReaderPool(control, s => s == ResizeScenario.Copy, copy, readerThreads, _arguments.Batch, _arguments.PauseMilliseconds, _arguments.BaseSize, _arguments.ReadNew);
            lockReaders = new ReaderPool(control, s => s == ResizeScenario.StopTheWorld, stopTheWorld, readerThreads, _arguments.Batch, _arguments.PauseMilliseconds, _arguments.BaseSize, _arguments.ReadNew);

            var daemonPid = ProcessCpu.FindByCommandLine($"--Mapd:SocketDirectory={daemon.SocketDirectory} ");
            var context = new PassContext(pages, admin, control, clients, copy, copyReaders, stopTheWorld, storagePath, baselinePath, daemonPid);
            var warmup = Stopwatch.GetTimestamp();
            foreach (var scenario in _arguments.Scenarios)
            {
                await EnterAsync(context, scenario, cancellationToken);
                var warmupRounds = scenario is ResizeScenario.MapdInPlace or ResizeScenario.MapdRemap ? Math.Max(_arguments.WarmupRounds, _arguments.JitWarmupRounds) : _arguments.WarmupRounds;
                for (var i = 0; i < warmupRounds; i++)
                {
                    await RoundAsync(context, scenario, -1, cancellationToken);
                }
            }

            Console.WriteLine($"warm-up rounds: {Stopwatch.GetElapsedTime(warmup).TotalSeconds:0.0} s");
            if (_arguments.Scenarios.Contains(ResizeScenario.MapdInPlace))
            {
                _quietGrow[pages] = await QuietGrowAsync(context, cancellationToken);
            }

            var measured = Stopwatch.GetTimestamp();
            for (var done = 0; done < _arguments.Rounds; done += _arguments.Block)
            {
                foreach (var scenario in _arguments.Scenarios)
                {
                    await EnterAsync(context, scenario, cancellationToken);
                    for (var i = done; i < Math.Min(done + _arguments.Block, _arguments.Rounds); i++)
                    {
                        _rounds.Add(await RoundAsync(context, scenario, i, cancellationToken));
                    }
                }

                Console.WriteLine($"  rounds {done + 1}-{Math.Min(done + _arguments.Block, _arguments.Rounds)} done, load {LoadAverage()}");
            }

            Console.WriteLine($"measured rounds: {Stopwatch.GetElapsedTime(measured).TotalSeconds:0.0} s");
            control.Phase = ReadPhase.Other;
            _readers[pages] = await CollectReadersAsync(clients, copyReaders, lockReaders, cancellationToken);
        }
        catch (Exception e) when (daemon is not null && e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"Mapd.Bench resize: {e.Message}\nlast daemon output:\n{daemon.Log}");
            throw;
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }

            copyReaders?.Dispose();
            lockReaders?.Dispose();
            copy?.Dispose();
            stopTheWorld?.Dispose();
            baselineDirectory?.Dispose();
            control?.Dispose();
            File.Delete(controlPath);
            admin?.Dispose();
            daemon?.Dispose();

            // The daemon leaves its tmpfs mounted (its regions survive restarts by design): unmount it here.
            Unmount(storagePath);
            if (baselineMounted)
            {
                Unmount(baselinePath);
            }

            RemoveDirectory(storagePath);
            RemoveDirectory(baselinePath);
            RemoveDirectory(root);
        }
    }

    private static async Task OpenAllAsync(List<ResizeClientProcess> clients, string reservation, CancellationToken cancellationToken)
    {
        foreach (var client in clients)
        {
            await client.SendAsync($"open {reservation}");
        }

        foreach (var client in clients)
        {
            await client.ReplyAsync("opened", ClientTimeout, cancellationToken);
        }
    }

    private static async Task EnterAsync(PassContext context, ResizeScenario scenario, CancellationToken cancellationToken)
    {
        context.Control.Phase = ReadPhase.Other;
        context.Control.Scenario = scenario;
        if (scenario == ResizeScenario.MapdInPlace)
        {
            // The default mapping: address space for 4x the size reserved, so 1 -> 2 GiB grows in place.
            await OpenAllAsync(context.Clients, "reserve", cancellationToken);
        }
    }

    private async Task<RoundRecord> RoundAsync(PassContext context, ResizeScenario scenario, int round, CancellationToken cancellationToken)
    {
        var record = round >= 0;
        var control = context.Control;
        control.Phase = ReadPhase.Other;
        if (scenario == ResizeScenario.MapdRemap)
        {
            // A mapping with no room past its size, faulted in: the grow has to map elsewhere.
            await OpenAllAsync(context.Clients, "noreserve", cancellationToken);
        }

        control.Phase = record ? ReadPhase.Idle : ReadPhase.Other;
        var mapd = scenario is ResizeScenario.MapdInPlace or ResizeScenario.MapdRemap;

        // The same CPU accounting over the idle wait, to tell what the grow added to the background.
        var idleStart = Stopwatch.GetTimestamp();
        var idleCpu = mapd ? ProtocolCpu(context) : default;
        await Task.Delay(record ? _arguments.Idle : TimeSpan.FromMilliseconds(20), cancellationToken);
        var idleEnd = mapd ? ProtocolCpu(context) : default;
        var idleTicks = Stopwatch.GetTimestamp() - idleStart;

        if (mapd && record)
        {
            // A unary call with next to no work, under the same conditions: what gRPC alone costs now.
            var times = _getMilliseconds.TryGetValue(context.Pages, out var list) ? list : _getMilliseconds[context.Pages] = [];
            for (var i = 0; i < 3; i++)
            {
                var get = Stopwatch.GetTimestamp();
                await context.Admin.GetAsync(RegionName, cancellationToken);
                times.Add(Stopwatch.GetElapsedTime(get).TotalMilliseconds);
            }
        }

        var usedPath = mapd ? context.StoragePath : context.BaselinePath;
        var (daemonCpu, clientsCpu, jitCpu) = mapd ? ProtocolCpu(context) : (0, 0, 0);
        var cpuStart = Stopwatch.GetTimestamp();
        var usedBefore = UsedBytes(usedPath);
        control.Phase = record ? ReadPhase.Resizing : ReadPhase.Other;
        ResizeTiming timing;
        long usedAtCall;
        switch (scenario)
        {
            case ResizeScenario.Copy:
                timing = context.Copy.Grow(_arguments.GrowSize);
                usedAtCall = UsedBytes(usedPath);
                break;
            case ResizeScenario.StopTheWorld:
                timing = context.StopTheWorld.Grow(_arguments.GrowSize);
                usedAtCall = UsedBytes(usedPath);
                break;
            default:
                (timing, usedAtCall) = await MapdGrowAsync(context, cancellationToken);
                break;
        }

        var usedAfter = UsedBytes(usedPath);
        await Task.Delay(_arguments.Tail, cancellationToken);
        control.Phase = ReadPhase.Other;
        if (mapd)
        {
            // What the grow cost in CPU: the daemon, and the clients' threads other than their readers
            // (event delivery, applying, the Release each client sends), until the tail ended.
            var (daemonAfter, clientsAfter, jitAfter) = ProtocolCpu(context);
            var scale = (double)(Stopwatch.GetTimestamp() - cpuStart) / idleTicks;
            daemonCpu = daemonAfter - daemonCpu - (long)(scale * (idleEnd.Daemon - idleCpu.Daemon));
            clientsCpu = clientsAfter - clientsCpu - (long)(scale * (idleEnd.Clients - idleCpu.Clients));
            jitCpu = jitAfter - jitCpu;
        }

        // Shrink back, untimed, and wait until it has committed.
        switch (scenario)
        {
            case ResizeScenario.Copy:
                context.Copy.Revert(context.CopyReaders);
                break;
            case ResizeScenario.StopTheWorld:
                context.StopTheWorld.Shrink(_arguments.BaseSize);
                break;
            default:
                await MapdShrinkAsync(context.Admin, cancellationToken);
                break;
        }

        return new RoundRecord(context.Pages, scenario, round, timing, usedBefore, usedAtCall, usedAfter, daemonCpu, clientsCpu, jitCpu);
    }

    private async Task<(ResizeTiming Timing, long UsedAtCall)> MapdGrowAsync(PassContext context, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var info = await context.Admin.ResizeAsync(RegionName, _arguments.GrowSize, cancellationToken: cancellationToken);
        var call = Stopwatch.GetTimestamp() - start;

        // Committed: the file is 2 GiB long now. Readers may already touch a few new pages.
        var usedAtCall = UsedBytes(context.StoragePath);
        var changes = await Task.WhenAll(context.Clients.Select(c => c.GrownAsync(info.Generation, _arguments.GrowSize, ClientTimeout, cancellationToken)));
        var last = changes.Max(c => c.Stamp) - start;
        var first = changes.Min(c => c.Stamp) - start;
        return (new ResizeTiming(last, call, 0, 0, first, 0, changes.Any(c => c.Moved)), usedAtCall);
    }

    /// <summary>
    /// One grow while no reader reads (client readers idle because another scenario is named):
    /// the tmpfs then shows exactly what the grow itself allocates. Returns used bytes before,
    /// after every client applied it, and how many clients did.
    /// </summary>
    private async Task<(long Before, long After, long Applied)> QuietGrowAsync(PassContext context, CancellationToken cancellationToken)
    {
        context.Control.Phase = ReadPhase.Other;
        context.Control.Scenario = ResizeScenario.StopTheWorld;
        await OpenAllAsync(context.Clients, "reserve", cancellationToken);
        var before = UsedBytes(context.StoragePath);
        var info = await context.Admin.ResizeAsync(RegionName, _arguments.GrowSize, cancellationToken: cancellationToken);
        var changes = await Task.WhenAll(context.Clients.Select(c => c.GrownAsync(info.Generation, _arguments.GrowSize, ClientTimeout, cancellationToken)));
        var after = UsedBytes(context.StoragePath);
        await MapdShrinkAsync(context.Admin, cancellationToken);
        return (before, after, changes.Length);
    }

    private async Task MapdShrinkAsync(MapdClient admin, CancellationToken cancellationToken)
    {
        await admin.ResizeAsync(RegionName, _arguments.BaseSize, cancellationToken: cancellationToken);
        var deadline = Stopwatch.GetTimestamp() + (long)(CommitTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var info = await admin.GetAsync(RegionName, cancellationToken);
            if (info.Size == _arguments.BaseSize && info.PendingSize == 0)
            {
                return;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"the shrink back to {Size(_arguments.BaseSize)} did not commit within {CommitTimeout.TotalSeconds} s (size {info.Size}, pending {info.PendingSize})");
            }

            await Task.Delay(2, cancellationToken);
        }
    }

    private static async Task<LatencyHistogram[]> CollectReadersAsync(List<ResizeClientProcess> clients, ReaderPool copyReaders, ReaderPool lockReaders, CancellationToken cancellationToken)
    {
        var merged = Enumerable.Range(0, ReaderPool.SlotCount).Select(_ => new LatencyHistogram()).ToArray();
        foreach (var client in clients)
        {
            foreach (var (slot, histogram) in await client.ReportAsync(cancellationToken))
            {
                merged[slot].Merge(histogram);
            }
        }

        foreach (var pool in (ReaderPool[])[copyReaders, lockReaders])
        {
            pool.PauseAndWait();
            var histograms = pool.Merge();
            for (var slot = 0; slot < merged.Length; slot++)
            {
                merged[slot].Merge(histograms[slot]);
            }
        }

        return merged;
    }

    private string Report(DateTimeOffset started, string loadBefore, string loadAfter)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Resize benchmark, {started:yyyy-MM-dd HH:mm} UTC, {MachineNotes()}, load before {loadBefore}, after {loadAfter}\n");
        text.Append(CultureInfo.InvariantCulture, $"{Size(_arguments.BaseSize)} -> {Size(_arguments.GrowSize)}, {_arguments.Clients} client processes x {_arguments.Threads} reader threads ({_arguments.Batch} reads of 4 KiB per batch, a batch every {_arguments.PauseMilliseconds} ms on one clock grid, reading {(_arguments.ReadNew ? "anywhere in the served size, grown bytes included" : $"only the first {Size(_arguments.BaseSize)}, the bytes that existed before each grow")}), {_arguments.Rounds} measured rounds per row; baselines run in the bench process with {_arguments.Clients * _arguments.Threads} reader threads.\n\n");
        text.Append("Time until every client serves the new size (mapd: from the Resize call until the last client process's MappedRegion reports it; baselines: until the readers are switched):\n\n");
        text.Append("| pages | design | p50 ms | p99 ms | min ms | max ms | call returned p50 ms | first client p50 ms | bytes copied per grow | tmpfs used +MiB at call return / at serve (medians) | copy p50 / this p50 | memcpy-only p50 / this p50 |\n");
        text.Append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var pages in _arguments.Pages)
        {
            var copyMedian = Percentile(Select(pages, ResizeScenario.Copy, t => t.Served), 0.5);
            var memcpyMedian = Percentile(Select(pages, ResizeScenario.Copy, t => t.Copy), 0.5);
            foreach (var scenario in _arguments.Scenarios)
            {
                var rows = _rounds.Where(r => r.Pages == pages && r.Scenario == scenario).ToList();
                if (rows.Count == 0)
                {
                    continue;
                }

                var served = Select(pages, scenario, t => t.Served);
                var median = Percentile(served, 0.5);
                text.Append(CultureInfo.InvariantCulture,
                    $"| {pages} | {Label(scenario)} | {Ms(median)} | {Ms(Percentile(served, 0.99))} | {Ms(served.Min())} | {Ms(served.Max())} | {Ms(Percentile(Select(pages, scenario, t => t.Call), 0.5))} | {Ms(Percentile(Select(pages, scenario, t => t.FirstServed), 0.5))} | {rows[0].Timing.BytesCopied:N0} | {Median(rows.Select(r => (double)(r.UsedAtCall - r.UsedBefore) / (1 << 20))):0.0} / {Median(rows.Select(r => (double)(r.UsedAfter - r.UsedBefore) / (1 << 20))):0.0} | {Ratio(copyMedian, median)} | {Ratio(memcpyMedian, median)} |\n");
            }
        }

        text.Append(CultureInfo.InvariantCulture, $"\nReaders' 4 KiB read latency (lease or lock + memcpy of 4 KiB from a random page), idle vs during resizes (from the resize call until {_arguments.Tail.TotalMilliseconds} ms after the last client serves the new size); \"old bytes\" leaves out reads of pages the grow added (their first touch allocates memory, in any design):\n\n");
        text.Append("| pages | design | idle p50 us | idle p99.9 us | resizing p50 us | resizing p99.9 us | p99.9 resizing / idle | old bytes p99.9 us | old bytes / idle | reads idle | reads resizing |\n");
        text.Append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var pages in _arguments.Pages)
        {
            if (!_readers.TryGetValue(pages, out var histograms))
            {
                continue;
            }

            foreach (var scenario in _arguments.Scenarios)
            {
                var idle = Combine(histograms, scenario, ReadPhase.Idle, includeAdded: true);
                var resizing = Combine(histograms, scenario, ReadPhase.Resizing, includeAdded: true);
                var old = Combine(histograms, scenario, ReadPhase.Resizing, includeAdded: false);
                var idle999 = idle.PercentileMicroseconds(0.999);
                text.Append(CultureInfo.InvariantCulture,
                    $"| {pages} | {Label(scenario)} | {Us(idle.PercentileMicroseconds(0.5))} | {Us(idle999)} | {Us(resizing.PercentileMicroseconds(0.5))} | {Us(resizing.PercentileMicroseconds(0.999))} | {resizing.PercentileMicroseconds(0.999) / idle999:0.00} | {Us(old.PercentileMicroseconds(0.999))} | {old.PercentileMicroseconds(0.999) / idle999:0.00} | {idle.Count:N0} | {resizing.Count:N0} |\n");
            }
        }

        text.Append('\n');
        foreach (var pages in _arguments.Pages)
        {
            var copies = _rounds.Where(r => r.Pages == pages && r.Scenario == ResizeScenario.Copy).ToList();
            if (copies.Count > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"{pages}: copy baseline parts, p50: populate (MADV_POPULATE_WRITE of the new file's first {Size(_arguments.BaseSize)}) {Ms(Percentile(Select(pages, ResizeScenario.Copy, t => t.Populate), 0.5))} ms, memcpy {Ms(Percentile(Select(pages, ResizeScenario.Copy, t => t.Copy), 0.5))} ms.\n");
            }

            if (_quietGrow.TryGetValue(pages, out var quiet))
            {
                text.Append(CultureInfo.InvariantCulture, $"{pages}: one grow with every reader idle, applied by {quiet.Applied} clients: tmpfs used bytes {quiet.Before:N0} before, {quiet.After:N0} after ({quiet.After - quiet.Before:+#,0;-#,0;0} bytes) while the file grew by {_arguments.GrowSize - _arguments.BaseSize:N0} bytes.\n");
            }

            foreach (var scenario in (ResizeScenario[])[ResizeScenario.MapdInPlace, ResizeScenario.MapdRemap])
            {
                var cpu = _rounds.Where(r => r.Pages == pages && r.Scenario == scenario).ToList();
                if (cpu.Count > 0)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{pages}: CPU per grow, {Label(scenario)}, p50 over rounds, from before the call until the tail ended, minus the same processes' CPU over as long a time while idle: daemon {Median(cpu.Select(r => r.DaemonCpuNanoseconds / 1e3)):0} us, the {_arguments.Clients} clients' non-reader threads {Median(cpu.Select(r => r.ClientsCpuNanoseconds / 1e3)):0} us in all, background JIT in both {Median(cpu.Select(r => r.JitCpuNanoseconds / 1e3)):0} us.\n");
                }
            }

            var gets = _getMilliseconds.GetValueOrDefault(pages) ?? [];
            text.Append(CultureInfo.InvariantCulture, $"{pages}: the region was backed by {Size(_hugeBacked.GetValueOrDefault(pages))} of shmem huge pages after filling it; a no-op unary call (Regions/Get) right before each mapd grow took p50 {Ms(Percentile(gets, 0.5))} ms, p99 {Ms(Percentile(gets, 0.99))} ms ({gets.Count} calls).\n");
        }

        text.Append(Targets());
        return text.ToString();
    }

    private string Targets()
    {
        var text = new StringBuilder("\nTargets (mapd = in-place grow, the default client options):\n");
        foreach (var pages in _arguments.Pages)
        {
            var mapd = Select(pages, ResizeScenario.MapdInPlace, t => t.Served);
            var copy = Select(pages, ResizeScenario.Copy, t => t.Served);
            if (mapd.Count > 0 && copy.Count > 0)
            {
                var ratio = Percentile(copy, 0.5) / Percentile(mapd, 0.5);
                var ratio99 = Percentile(copy, 0.99) / Percentile(mapd, 0.99);
                var memcpyOnly = Percentile(Select(pages, ResizeScenario.Copy, t => t.Copy), 0.5) / Percentile(mapd, 0.5);
                text.Append(CultureInfo.InvariantCulture, $"- {pages}: >= 50x faster than copy-based: p50 {Percentile(mapd, 0.5):0.00} ms vs {Percentile(copy, 0.5):0.0} ms = {ratio:0.0}x, p99 {ratio99:0.0}x -> {(ratio >= 50 ? "PASS" : "FAIL")} (against the memcpy alone, page faults not counted: {memcpyOnly:0.0}x)\n");
            }

            if (_readers.TryGetValue(pages, out var histograms))
            {
                var idle = Combine(histograms, ResizeScenario.MapdInPlace, ReadPhase.Idle, includeAdded: true).PercentileMicroseconds(0.999);
                var during = Combine(histograms, ResizeScenario.MapdInPlace, ReadPhase.Resizing, includeAdded: true).PercentileMicroseconds(0.999);
                var old = Combine(histograms, ResizeScenario.MapdInPlace, ReadPhase.Resizing, includeAdded: false).PercentileMicroseconds(0.999);
                text.Append(CultureInfo.InvariantCulture, $"- {pages}: reader p99.9 during resizes <= 2x idle: all reads {during:0.0} us vs {idle:0.0} us = {during / idle:0.00}x -> {(during <= 2 * idle ? "PASS" : "FAIL")}; reads of old bytes only {old:0.0} us = {old / idle:0.00}x -> {(old <= 2 * idle ? "PASS" : "FAIL")}\n");
            }

            var rows = _rounds.Where(r => r.Pages == pages && r.Scenario == ResizeScenario.MapdInPlace).ToList();
            if (rows.Count > 0)
            {
                var copied = rows.Sum(r => r.Timing.BytesCopied);
                var atCall = rows.Select(r => r.UsedAtCall - r.UsedBefore).ToList();
                var growth = rows.Select(r => r.UsedAfter - r.UsedBefore).ToList();
                var quiet = _quietGrow.TryGetValue(pages, out var q) ? string.Create(CultureInfo.InvariantCulture, $"with readers idle a grow added {q.After - q.Before:N0} bytes to tmpfs used; ") : string.Empty;
                text.Append(CultureInfo.InvariantCulture, $"- {pages}: zero bytes copied: {copied} bytes over {rows.Count} grows (ftruncate + mapping the same file's pages); {quiet}tmpfs used bytes when the Resize call returned: +{Median(atCall.Select(g => (double)g / (1 << 20))):0.0} MiB median, +{atCall.Max() / (double)(1 << 20):0.0} MiB max; when every client served it: +{Median(growth.Select(g => (double)g / (1 << 20))):0.0} MiB median, +{growth.Max() / (double)(1 << 20):0.0} MiB max (pages readers touched past the old end); a copy writes {Size(_arguments.BaseSize)} -> {(copied == 0 ? "PASS" : "FAIL")}\n");
            }
        }

        return text.ToString();
    }

    private void WriteFiles(DateTimeOffset started, string report)
    {
        var directory = _arguments.OutputDirectory ?? Path.Join(RepositoryRoot() ?? ".", "bench", "results");
        Directory.CreateDirectory(directory);
        var stem = Path.Join(directory, $"resize-{started:yyyyMMdd-HHmmss}");
        var rounds = new StringBuilder("pages,scenario,round,served_us,first_served_us,call_us,copy_us,populate_us,bytes_copied,used_before,used_at_call,used_after,moved,daemon_cpu_us,clients_cpu_us,jit_cpu_us\n");
        foreach (var r in _rounds)
        {
            rounds.Append(CultureInfo.InvariantCulture,
                $"{r.Pages},{Key(r.Scenario)},{r.Round},{Us(r.Timing.Served)},{Us(r.Timing.FirstServed)},{Us(r.Timing.Call)},{Us(r.Timing.Copy)},{Us(r.Timing.Populate)},{r.Timing.BytesCopied},{r.UsedBefore},{r.UsedAtCall},{r.UsedAfter},{r.Timing.Moved},{r.DaemonCpuNanoseconds / 1e3:0.0},{r.ClientsCpuNanoseconds / 1e3:0.0},{r.JitCpuNanoseconds / 1e3:0.0}\n");
        }

        var readers = new StringBuilder("pages,scenario,phase,range,reads,p50_us,p99_us,p999_us,max_us\n");
        foreach (var (pages, histograms) in _readers)
        {
            foreach (var scenario in _arguments.Scenarios)
            {
                foreach (var phase in (ReadPhase[])[ReadPhase.Idle, ReadPhase.Resizing])
                {
                    foreach (var (range, added) in (ReadOnlySpan<(string, bool)>)[("all", true), ("old", false)])
                    {
                        var h = Combine(histograms, scenario, phase, added);
                        readers.Append(CultureInfo.InvariantCulture,
                            $"{pages},{Key(scenario)},{phase.ToString().ToLowerInvariant()},{range},{h.Count},{h.PercentileMicroseconds(0.5):0.###},{h.PercentileMicroseconds(0.99):0.###},{h.PercentileMicroseconds(0.999):0.###},{h.MaxNanoseconds / 1000.0:0.###}\n");
                    }
                }
            }
        }

        File.WriteAllText(stem + ".csv", rounds.ToString());
        File.WriteAllText(stem + "-readers.csv", readers.ToString());
        File.WriteAllText(stem + ".md", report);
        Console.WriteLine($"wrote {stem}.csv, {stem}-readers.csv and {stem}.md; plot with bench/plot-resize.sh {stem}.csv");
    }

    private List<double> Select(string pages, ResizeScenario scenario, Func<ResizeTiming, long> value) =>
        [.. _rounds.Where(r => r.Pages == pages && r.Scenario == scenario).Select(r => value(r.Timing) * 1000.0 / Stopwatch.Frequency)];

    private static LatencyHistogram Combine(LatencyHistogram[] histograms, ResizeScenario scenario, ReadPhase phase, bool includeAdded)
    {
        var result = new LatencyHistogram();
        result.Merge(histograms[ReaderPool.Slot(scenario, phase, added: false)]);
        if (includeAdded)
        {
            result.Merge(histograms[ReaderPool.Slot(scenario, phase, added: true)]);
        }

        return result;
    }

    /// <summary>Nearest-rank percentile (with 20 samples, p99 is the maximum).</summary>
    private static double Percentile(List<double> values, double quantile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static double Median(IEnumerable<double> values) => Percentile([.. values], 0.5);

    private static string Label(ResizeScenario scenario) => scenario switch
    {
        ResizeScenario.MapdInPlace => "**mapd** (grow in place)",
        ResizeScenario.MapdRemap => "mapd, no reservation (remap + populate)",
        ResizeScenario.Copy => "baseline: copy (new file + memcpy)",
        _ => "baseline: stop-the-world (rwlock + munmap/mmap)",
    };

    private static string Key(ResizeScenario scenario) => scenario switch
    {
        ResizeScenario.MapdInPlace => "mapd",
        ResizeScenario.MapdRemap => "mapd-remap",
        ResizeScenario.Copy => "copy",
        _ => "stop-the-world",
    };

    private static string Ratio(double baseline, double value) =>
        double.IsNaN(baseline) ? "-" : (baseline / value).ToString("0.0", CultureInfo.InvariantCulture) + "x";

    private static string Ms(double milliseconds) =>
        double.IsNaN(milliseconds) ? "-" : milliseconds.ToString(milliseconds < 10 ? "0.000" : "0.0", CultureInfo.InvariantCulture);

    private static string Us(double microseconds) =>
        double.IsNaN(microseconds) ? "-" : microseconds.ToString(microseconds < 100 ? "0.0" : "0", CultureInfo.InvariantCulture);

    private static string Us(long ticks) => (ticks * 1e6 / Stopwatch.Frequency).ToString("0.0", CultureInfo.InvariantCulture);

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static long UsedBytes(string path)
    {
        using var directory = DirectoryHandle.Open(path);
        return directory.FileSystem().UsedBytes;
    }

    private static long ShmemHugeBytes()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("ShmemHugePages:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string MachineNotes() =>
        $"kernel {File.ReadAllText("/proc/sys/kernel/osrelease").Trim()}, {Environment.ProcessorCount} vCPUs, .NET {Environment.Version}";

    /// <summary>Writes a page of every 4 KiB of fresh anonymous memory, then frees it: this VM's first touch of memory is slow and should not land in a measurement.</summary>
    private static unsafe void WarmMemory(long bytes)
    {
        var memory = (byte*)NativeMemory.Alloc((nuint)bytes);
        try
        {
            for (long offset = 0; offset < bytes; offset += ReadSource.ReadSize)
            {
                memory[offset] = 1;
            }
        }
        finally
        {
            NativeMemory.Free(memory);
        }
    }

    /// <summary>Unmounts what an earlier run that was killed left mounted under <see cref="MountPrefix"/>.</summary>
    private static void RemoveStaleMounts()
    {
        foreach (var line in File.ReadAllLines("/proc/self/mounts"))
        {
            var point = line.Split(' ')[1];
            if (!point.StartsWith(MountPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var pid = point[MountPrefix.Length..].Split('/')[0];
            if (!Directory.Exists($"/proc/{pid}"))
            {
                Console.WriteLine($"# unmounting {point}, left by an earlier run");
                Unmount(point);
            }
        }
    }

    private static void Unmount(string path)
    {
        try
        {
            if (File.ReadAllLines("/proc/self/mounts").Any(l => l.Split(' ')[1] == path))
            {
                Tmpfs.Unmount(path);
            }
        }
        catch (SystemCallException e)
        {
            Console.Error.WriteLine($"Mapd.Bench resize: could not unmount {path}: {e.Message}");
        }
    }

    private static void RemoveDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Mapd.Bench resize: could not remove {path}: {e.Message}");
        }
    }

    private static string? RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Join(directory.FullName, "mapd.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    private sealed record RoundRecord(string Pages, ResizeScenario Scenario, int Round, ResizeTiming Timing, long UsedBefore, long UsedAtCall, long UsedAfter, long DaemonCpuNanoseconds, long ClientsCpuNanoseconds, long JitCpuNanoseconds);

    /// <summary>
    /// CPU so far of the daemon and of the clients' threads other than their readers, each
    /// without the runtime's background JIT thread, which is counted apart (code that runs a
    /// few dozen times, like a resize path, is still being recompiled during the rounds).
    /// </summary>
    private static (long Daemon, long Clients, long Jit) ProtocolCpu(PassContext context)
    {
        const string Jit = ".NET Tiered Com";
        var daemon = context.DaemonPid == 0 ? 0 : ProcessCpu.Nanoseconds(context.DaemonPid, t => t != Jit);
        var clients = context.Clients.Sum(c => ProcessCpu.Nanoseconds(c.Pid, t => t != Jit && !t.StartsWith("reader", StringComparison.Ordinal)));
        var jit = (context.DaemonPid == 0 ? 0 : ProcessCpu.Nanoseconds(context.DaemonPid, t => t == Jit)) + context.Clients.Sum(c => ProcessCpu.Nanoseconds(c.Pid, t => t == Jit));
        return (daemon, clients, jit);
    }

    private sealed record PassContext(
        string Pages,
        MapdClient Admin,
        ResizeControl Control,
        List<ResizeClientProcess> Clients,
        CopyBaseline Copy,
        ReaderPool CopyReaders,
        StopTheWorldBaseline StopTheWorld,
        string StoragePath,
        string BaselinePath,
        int DaemonPid);
}
