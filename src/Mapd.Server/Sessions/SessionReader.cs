using System.Collections.Concurrent;
using Mapd.Native;
using Mapd.Server.Errors;
using Mapd.Server.Regions;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Sessions;

/// <summary>
/// Reads what every session sends, on one thread of its own: it waits on all session sockets at
/// once (<see cref="ReadinessSet"/>), takes each ready socket's messages off without blocking,
/// and acts on them there: TAKEN and CLOSE, and OPEN through <see cref="ISessionRequests"/>.
/// A message costs no wake-up of the runtime's socket thread and no hop to the thread pool, which
/// on these VMs cost more than the open itself. An OPEN that must wait (the client's socket holds
/// its share of unread descriptors) finishes on the pool while its session is not read; each
/// session's messages are acted on one at a time, in order. A session ends when its peer hangs
/// up, breaks the protocol, or stops reading its answers.
/// </summary>
public sealed partial class SessionReader : IDisposable
{
    // Messages taken from one socket before the others get a turn: enough to take a burst in one
    // wake-up, few enough that a session flooding its socket delays the others by little.
    private const int MessagesPerTurn = 16;
    // After a failed wait, before the next: a failure that repeats does not spin.
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(250);

    private readonly ReadinessSet _ready = ReadinessSet.Create();
    private readonly ConcurrentDictionary<ulong, Reading> _readings = new();
    private readonly RegionMappings _mappings;
    private readonly ISessionRequests _requests;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread _thread;
    private long _lastToken;

    /// <param name="mappings">Where CLOSE takes effect.</param>
    /// <param name="requests">What answers OPEN.</param>
    /// <param name="logger">Where protocol violations and failures are logged.</param>
    public SessionReader(RegionMappings mappings, ISessionRequests requests, ILogger logger)
    {
        _mappings = mappings;
        _requests = requests;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "mapd sessions" };
        _thread.Start();
    }

    /// <summary>
    /// Reads <paramref name="session"/> from now on; <paramref name="ended"/> runs once, on
    /// whichever thread sees the session end (or in <see cref="Dispose"/>).
    /// </summary>
    public void Add(Session session, Action ended)
    {
        var reading = new Reading(session, (ulong)Interlocked.Increment(ref _lastToken), ended);
        _readings[reading.Token] = reading;
        try
        {
            _ready.Add(session.Socket.SafeHandle, reading.Token);
        }
        catch (Exception e) when (e is SystemCallException or ObjectDisposedException)
        {
            End(reading);
        }

        // Stopped meanwhile: nothing reads it any more.
        if (_stopping.IsCancellationRequested)
        {
            End(reading);
        }
    }

    /// <summary>Stops reading and ends every session still read.</summary>
    public void Dispose()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _ready.Wake();
        _thread.Join();
        foreach (var reading in _readings.Values)
        {
            End(reading);
        }

        _ready.Dispose();
        _stopping.Dispose();
    }

    private void Run()
    {
        var tokens = new ulong[64];
        var buffer = new byte[SessionFrames.MaxLength];
        var taken = new List<ulong>(SessionFrames.MaxTakenIds);
        while (!_stopping.IsCancellationRequested)
        {
            int ready;
            try
            {
                ready = _ready.Wait(tokens, Timeout.InfiniteTimeSpan);
            }
            catch (SystemCallException e)
            {
                Log.WaitFailed(_logger, e);
                Thread.Sleep(RetryPause);
                continue;
            }

            for (var i = 0; i < ready; i++)
            {
                if (_readings.TryGetValue(tokens[i], out var reading))
                {
                    Serve(reading, buffer, taken);
                }
            }
        }
    }

    /// <summary>Acts on what <paramref name="reading"/>'s socket holds, then arms it again, unless an OPEN goes on or the session ended.</summary>
    private void Serve(Reading reading, byte[] buffer, List<ulong> taken)
    {
        var session = reading.Session;
        try
        {
            for (var turn = 0; turn < MessagesPerTurn; turn++)
            {
                var received = UnixSockets.Receive(session.Socket.SafeHandle, buffer, out var stray, session.Id, wait: false);

                // Clients send no descriptors; one that comes anyway is not kept.
                stray?.Dispose();
                if (received < 0)
                {
                    break;
                }

                if (received == 0)
                {
                    End(reading);
                    return;
                }

                if (!Act(reading, buffer.AsMemory(0, received), taken))
                {
                    return;
                }
            }

            _ready.Rearm(session.Socket.SafeHandle, reading.Token);
        }
        catch (InvalidDataException)
        {
            Log.OversizedMessage(_logger, session.Id, session.Pid, SessionFrames.MaxLength);
            End(reading);
        }
        catch (Exception e) when (e is SystemCallException or ObjectDisposedException)
        {
            // The connection broke or the session was disposed: either way it ends.
            End(reading);
        }
        catch (Exception e)
        {
            Log.SessionFailed(_logger, session.Id, e);
            End(reading);
        }
    }

    /// <summary>Acts on one message; false when reading stops here (the session ended, or an OPEN finishes on the pool).</summary>
    private bool Act(Reading reading, ReadOnlyMemory<byte> message, List<ulong> taken)
    {
        var session = reading.Session;
        if (SessionFrames.TryReadClose(message.Span, out var closedHandoff, out var name))
        {
            Close(session, name, closedHandoff);
            return true;
        }

        if (SessionFrames.TryReadTaken(message.Span, taken))
        {
            foreach (var handoffId in taken)
            {
                session.Taken(handoffId);
            }

            return true;
        }

        var serving = _requests.ServeAsync(session, message, _stopping.Token);
        if (serving.IsCompletedSuccessfully)
        {
            return Answered(reading, serving.Result, message.Length);
        }

        var outcome = serving.AsTask();
        if (!outcome.IsCompleted)
        {
            _ = FinishAsync(reading, outcome, message.Length);
            return false;
        }

        return Answered(reading, outcome, message.Length);
    }

    /// <summary>An OPEN that had to wait finished: the session is read again, unless it ended.</summary>
    private async Task FinishAsync(Reading reading, Task<bool> outcome, int length)
    {
        await ((Task)outcome).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!Answered(reading, outcome, length))
        {
            return;
        }

        try
        {
            _ready.Rearm(reading.Session.Socket.SafeHandle, reading.Token);
        }
        catch (Exception e) when (e is SystemCallException or ObjectDisposedException)
        {
            End(reading);
        }
    }

    /// <summary>Whether the request was one; false when the session ends because it was not.</summary>
    private bool Answered(Reading reading, bool known, int length)
    {
        if (known)
        {
            return true;
        }

        Log.ProtocolViolation(_logger, reading.Session.Id, reading.Session.Pid, length);
        End(reading);
        return false;
    }

    /// <summary>How a request that did not finish at once ended; false when the session ends because of it.</summary>
    private bool Answered(Reading reading, Task<bool> outcome, int length)
    {
        if (outcome.IsCompletedSuccessfully)
        {
            return Answered(reading, outcome.Result, length);
        }

        switch (outcome.Exception?.InnerException)
        {
            case IOException e and not SystemCallException:
                // The answer could not be sent: the client does not read its socket.
                Log.SessionDropped(_logger, reading.Session.Id, reading.Session.Pid, e.Message);
                break;
            case { } failure and not (OperationCanceledException or ObjectDisposedException or SystemCallException):
                Log.SessionFailed(_logger, reading.Session.Id, failure);
                break;
        }

        End(reading);
        return false;
    }

    /// <summary>A CLOSE has nobody to answer: a refusal (a name the session does not map) is only logged.</summary>
    private void Close(Session session, string name, ulong handoffId)
    {
        try
        {
            _mappings.CloseUnlessReopened(name, handoffId, session);
        }
        catch (RefusedException e)
        {
            Log.CloseRefused(_logger, session.Id, session.Pid, e.Message);
        }
    }

    private void End(Reading reading)
    {
        if (!reading.TryEnd())
        {
            return;
        }

        _readings.TryRemove(reading.Token, out _);
        try
        {
            _ready.Remove(reading.Session.Socket.SafeHandle);
        }
        catch (Exception e) when (e is SystemCallException or ObjectDisposedException)
        {
            // Closing the socket, which ending the session does, removes it as well.
        }

        reading.Ended();
    }

    /// <summary>One session being read, under its token.</summary>
    private sealed class Reading(Session session, ulong token, Action ended)
    {
        private int _ended;

        public Session Session { get; } = session;

        public ulong Token { get; } = token;

        public Action Ended { get; } = ended;

        public bool TryEnd() => Interlocked.Exchange(ref _ended, 1) == 0;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 305, EventName = "ProtocolViolation", Level = LogLevel.Warning, Message = "Session {Id} of pid {Pid} sent a {Length}-byte message that is none of TAKEN, CLOSE or OPEN; closed it")]
        public static partial void ProtocolViolation(ILogger logger, string id, int pid, int length);

        [LoggerMessage(EventId = 306, EventName = "SessionFailed", Level = LogLevel.Error, Message = "Session {Id} failed")]
        public static partial void SessionFailed(ILogger logger, string id, Exception exception);

        [LoggerMessage(EventId = 308, EventName = "CloseRefused", Level = LogLevel.Debug, Message = "Session {Id} of pid {Pid} sent a CLOSE that does nothing: {Reason}")]
        public static partial void CloseRefused(ILogger logger, string id, int pid, string reason);

        [LoggerMessage(EventId = 311, EventName = "SessionDropped", Level = LogLevel.Warning, Message = "Session {Id} of pid {Pid} closed: {Reason}")]
        public static partial void SessionDropped(ILogger logger, string id, int pid, string reason);

        [LoggerMessage(EventId = 313, EventName = "OversizedMessage", Level = LogLevel.Warning, Message = "Session {Id} of pid {Pid} sent a message longer than {Max} bytes, which no message of the protocol is; closed it")]
        public static partial void OversizedMessage(ILogger logger, string id, int pid, int max);

        [LoggerMessage(EventId = 312, EventName = "WaitFailed", Level = LogLevel.Error, Message = "Waiting on the session sockets failed; trying again")]
        public static partial void WaitFailed(ILogger logger, Exception exception);
    }
}
