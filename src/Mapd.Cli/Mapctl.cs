using System.Reflection;
using Grpc.Core;
using Mapd.Cli.Completions;
using Mapd.Cli.Daemon;
using Mapd.Cli.Output;
using Mapd.Cli.Parsing;
using Mapd.Client;

namespace Mapd.Cli;

/// <summary>
/// Runs one mapctl command line: parses it, talks to the daemon, prints the result, and turns
/// every failure into exactly one <c>mapctl: ...</c> line on stderr and an <see cref="ExitCode"/>.
/// </summary>
internal sealed class Mapctl
{
    private readonly Func<string?, CancellationToken, Task<IRegionService>> _connect;
    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly Lazy<AccountNames> _accounts;
    private readonly TimeProvider _time;

    /// <summary>Creates the runner.</summary>
    /// <param name="connect">Connects to the daemon in a socket directory (null: the default).</param>
    /// <param name="output">Where results go (stdout).</param>
    /// <param name="error">Where the one-line error goes (stderr).</param>
    /// <param name="accounts">Names for uids and gids; read only by output that shows them.</param>
    /// <param name="time">The clock for ages in <c>stat</c> and the times of <c>watch</c> events; the system's by default.</param>
    public Mapctl(Func<string?, CancellationToken, Task<IRegionService>> connect, TextWriter output, TextWriter error, Func<AccountNames> accounts, TimeProvider? time = null)
    {
        _connect = connect;
        _out = output;
        _error = error;
        _accounts = new Lazy<AccountNames>(accounts);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>mapctl's version, with the commit it was built from when the build knew it.</summary>
    public static string Version =>
        typeof(Mapctl).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(Mapctl).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    /// <summary>Runs <paramref name="args"/> and returns the process's exit code.</summary>
    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        Invocation invocation;
        try
        {
            invocation = CommandLine.Parse(args);
        }
        catch (UsageException e)
        {
            return Fail(ExitCode.Usage, e.Message);
        }

        // These answer from mapctl alone, without touching a socket.
        switch (invocation.Verb)
        {
            case Verb.Help:
                await _out.WriteAsync(invocation.Topic is { } topic ? CommandHelp.Of(topic, CommandTree.Instance) : Usage.Help);
                return ExitCode.Success;
            case Verb.Version:
                await _out.WriteLineAsync($"mapctl {Version} (protocol mapd.v1)");
                return ExitCode.Success;
            case Verb.Completions:
                await _out.WriteAsync(CompletionScripts.Of(invocation.Shell));
                return ExitCode.Success;
        }

        try
        {
            var service = await _connect(invocation.SocketDirectory, cancellationToken);
            await using (service)
            {
                if (invocation.Verb == Verb.Watch)
                {
                    await WatchAsync(service, invocation, cancellationToken);
                }
                else
                {
                    await _out.WriteAsync(await ExecuteAsync(service, invocation, cancellationToken));
                }
            }

            return ExitCode.Success;
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or MapdException { Code: StatusCode.Cancelled })
        {
            // Ctrl-C is how a watch is meant to end: that is success, and nothing to complain about.
            return invocation.Verb == Verb.Watch ? ExitCode.Success : Fail(ExitCode.Interrupted, "interrupted");
        }
        catch (MapdException e)
        {
            var message = string.IsNullOrWhiteSpace(e.Message) ? Unexplained(e.Code, invocation.Verb) : e.Message;
            return Fail(e.Code is StatusCode.Unavailable ? ExitCode.Unreachable : ExitCode.Refused, message);
        }
        catch (OverflowException)
        {
            // A size or count no region can have: the daemon is broken or speaks another protocol.
            return Fail(ExitCode.Refused, "mapd answered with a number out of range; is it a mapd of this protocol (mapd.v1)? Its log may say more");
        }
        catch (IOException e)
        {
            // The daemon answered but something on this side failed, e.g. mapping a created
            // region ran into vm.max_map_count: the region exists, the message says what broke.
            return Fail(ExitCode.Refused, e.Message);
        }
    }

    /// <summary>
    /// Words a status that came without a message: gRPC itself answers UNIMPLEMENTED with an
    /// empty one when the daemon predates a call, as older daemons do for Resize.
    /// </summary>
    private static string Unexplained(StatusCode code, Verb verb)
    {
        var command = CommandLine.NameOf(verb);
        return code == StatusCode.Unimplemented
            ? $"this mapd does not implement {command} (UNIMPLEMENTED); upgrade the daemon"
            : $"mapd answered {command} with {StatusCodeName.Of(code)} and no message; its log may say more";
    }

    private async Task<string> ExecuteAsync(IRegionService service, Invocation invocation, CancellationToken cancellationToken)
    {
        switch (invocation.Verb)
        {
            case Verb.List:
                var regions = await service.ListAsync(invocation.Prefix, cancellationToken);
                return invocation.Format switch
                {
                    OutputFormat.Json => RegionJson.Render(regions),
                    OutputFormat.Names => string.Concat(regions.Select(r => r.Name).Order(StringComparer.Ordinal).Select(n => n + "\n")),
                    _ => RegionTable.Render(regions, _accounts.Value, withHeader: !invocation.NoHeaders),
                };
            case Verb.Stat:
                var status = await service.GetDetailsAsync(invocation.Name, cancellationToken);
                var now = _time.GetUtcNow();
                return invocation.Format == OutputFormat.Json ? RegionJson.Render(status, now) : RegionDetails.Render(status, _accounts.Value, now);
            case Verb.Create:
                var created = await service.CreateAsync(invocation.Name, invocation.Size, invocation.Mode, invocation.MaxSize, cancellationToken);
                var reserve = invocation.MaxSize == 0 ? "" : $", max size {RegionText.Size(invocation.MaxSize)}";
                return $"created region '{created.Name}': {RegionText.Size(created.Size)}, mode {PermissionMode.Format(created.Mode)}{reserve}\n";
            case Verb.Resize:
                var resized = await service.ResizeAsync(invocation.Name, invocation.Size, invocation.ExpectedGeneration, cancellationToken);
                return resized.PendingSize == 0
                    ? $"resized region '{resized.Name}' to {RegionText.Size(resized.Size)} (generation {resized.Generation})\n"
                    : $"region '{resized.Name}' shrinks from {RegionText.Size(resized.Size)} to {RegionText.Size(resized.PendingSize)} (generation {resized.Generation}) once every mapper has released the tail\n";
            case Verb.Remove:
                await service.DeleteAsync(invocation.Name, cancellationToken);
                return $"deleted region '{invocation.Name}'\n";
            case Verb.Sessions:
                var sessions = await service.ListSessionsAsync(cancellationToken);
                return invocation.Format == OutputFormat.Json ? SessionTable.RenderJson(sessions) : SessionTable.Render(sessions, _accounts.Value, withHeader: !invocation.NoHeaders);
            case Verb.Status:
                var daemon = await service.StatusAsync(cancellationToken);
                return invocation.Format == OutputFormat.Json ? StatusReport.RenderJson(daemon, _time.GetUtcNow()) : StatusReport.Render(daemon, _time.GetUtcNow());
            default:
                throw new InvalidOperationException($"{invocation.Verb} needs no daemon");
        }
    }

    /// <summary>
    /// Prints each event as it arrives, flushed at once so a pipe or a log sees it live. Returns
    /// only by cancellation or failure: a stream the daemon closed means it stopped or restarted.
    /// </summary>
    private async Task WatchAsync(IRegionService service, Invocation invocation, CancellationToken cancellationToken)
    {
        await foreach (var watchEvent in service.WatchAsync(invocation.Names, cancellationToken))
        {
            var received = _time.GetUtcNow();
            await _out.WriteAsync(invocation.Format == OutputFormat.Json ? WatchLine.RenderJson(watchEvent, received) : WatchLine.Render(watchEvent, received));
            await _out.FlushAsync(cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new MapdException(StatusCode.Unavailable, "mapd closed the watch; it may have stopped or restarted: run mapctl watch again once it is back");
    }

    private int Fail(int exitCode, string message)
    {
        // One line, whatever the daemon's message holds: scripts and log scrapers read stderr by line.
        var oneLine = string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        _error.WriteLine($"mapctl: {oneLine}");
        return exitCode;
    }
}
