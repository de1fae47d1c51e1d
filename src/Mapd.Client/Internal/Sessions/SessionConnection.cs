using System.Collections.Concurrent;
using Grpc.Core;
using Mapd.Native;
using Mapd.Protocol.V1;

namespace Mapd.Client.Internal.Sessions;

/// <summary>
/// This process's session on <c>mapd-fd.sock</c>. A dedicated thread receives FD messages and
/// hands each descriptor to whichever call waits for that handoff id, whether the descriptor or
/// the gRPC reply arrives first; it also hands each OPENED or OPEN_FAILED to the open that
/// asked with that request id. It sends no TAKEN: the daemon counts what is unread by the
/// kernel's queue, and an acknowledgement per burst cost a message and a wake-up on both sides. A descriptor nobody will take
/// (its open was cancelled) is closed, whenever it arrives.
/// </summary>
internal sealed class SessionConnection : ISession
{
    private readonly FileDescriptor _socket;
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<FileDescriptor>> _handoffs = new();
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<OpenedOnSession>> _opens = new();
    private long _lastRequestId;
    private readonly Thread _receiver;
    private readonly string _path;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Exception? _failure;
    private int _disposed;

    private SessionConnection(FileDescriptor socket, string id, string path)
    {
        _socket = socket;
        Id = id;
        _path = path;
        _receiver = new Thread(Receive) { IsBackground = true, Name = "mapd session" };
        _receiver.Start();
    }

    /// <summary>The session id, as sent in <c>mapd-session</c> metadata.</summary>
    public string Id { get; }

    /// <summary>Completes when the session ended: the daemon closed it, or it was disposed.</summary>
    public Task Closed => _closed.Task;

    /// <summary>True once the session ended.</summary>
    public bool IsClosed => _closed.Task.IsCompleted;

    /// <summary>Why the session ended: the daemon closed it, or reading from it failed.</summary>
    public Exception? Failure => _failure;

    /// <summary>
    /// Connects and runs the HELLO/WELCOME handshake (blocking; call off the hot path). A daemon
    /// that accepts but does not answer within <paramref name="handshakeTimeout"/>, or a
    /// cancellation, ends the wait: the socket is shut down, which wakes the blocked receive.
    /// </summary>
    public static SessionConnection Connect(string path, TimeSpan handshakeTimeout, CancellationToken cancellationToken)
    {
        var socket = UnixSockets.ConnectSeqPacket(path);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(handshakeTimeout);
            int received;
            Span<byte> buffer = stackalloc byte[SessionFrames.MaxLength];
            using (deadline.Token.Register(static s => UnixSockets.Shutdown((FileDescriptor)s!), socket))
            {
                Span<byte> hello = stackalloc byte[SessionFrames.HelloLength];
                SessionFrames.WriteHello(hello);
                UnixSockets.Send(socket, hello, path);
                received = UnixSockets.Receive(socket, buffer, out var stray, path);
                stray?.Dispose();
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (deadline.IsCancellationRequested)
            {
                throw new IOException($"mapd at {path} took the connection but did not answer HELLO within {handshakeTimeout.TotalSeconds} s; it may be overloaded or stuck (its log says why)");
            }

            if (received == 0)
            {
                throw new IOException($"mapd closed {path} during the handshake; its log says why (too many sessions?)");
            }

            if (SessionFrames.TryReadRefused(buffer[..received], out var code, out var reason))
            {
                throw new SessionRefusedException((Grpc.Core.StatusCode)code, $"mapd refused a session on {path}: {reason}");
            }

            if (!SessionFrames.TryReadWelcome(buffer[..received], out var version, out var id) || version != SessionFrames.Version)
            {
                throw new IOException($"{path} did not answer HELLO with WELCOME version {SessionFrames.Version}; is it a mapd session socket of the same version?");
            }

            return new SessionConnection(socket, Convert.ToHexStringLower(id), path);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Waits for the descriptor of <paramref name="handoffId"/>; the caller owns it.</summary>
    public async Task<FileDescriptor> TakeAsync(ulong handoffId, CancellationToken cancellationToken)
    {
        var waiter = _handoffs.GetOrAdd(handoffId, NewWaiter);
        if (_failure is { } failure && !waiter.Task.IsCompleted)
        {
            _handoffs.TryRemove(handoffId, out _);
            throw new IOException($"the mapd session ended before handoff {handoffId} arrived", failure);
        }

        try
        {
            var descriptor = await waiter.Task.WaitAsync(cancellationToken);
            _handoffs.TryRemove(handoffId, out _);
            return descriptor;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Abandon(handoffId, waiter);
            throw;
        }
        catch
        {
            _handoffs.TryRemove(handoffId, out _);
            throw;
        }
    }

    /// <inheritdoc/>
    public Task<OpenedOnSession>? TryOpen(string name, Access access)
    {
        var requestId = (ulong)Interlocked.Increment(ref _lastRequestId);
        Span<byte> frame = stackalloc byte[SessionOpenFrames.MaxOpenLength];
        var length = SessionOpenFrames.WriteOpen(frame, requestId, access, name);
        var answer = new TaskCompletionSource<OpenedOnSession>(TaskCreationOptions.RunContinuationsAsynchronously);
        _opens[requestId] = answer;
        try
        {
            if (!UnixSockets.TrySend(_socket, frame[..length], _path, wait: false))
            {
                _opens.TryRemove(requestId, out _);
                return null;
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            _opens.TryRemove(requestId, out _);
            answer.TrySetException(new IOException($"the mapd session ended before it was asked to open region '{name}'", e));
            return answer.Task;
        }

        // The receiver fails what is still waiting once it stops; an open asked just as it stopped is failed here.
        if (_failure is { } failure && _opens.TryRemove(requestId, out _))
        {
            answer.TrySetException(new IOException($"the mapd session ended before it answered the open of region '{name}'", failure));
        }

        return answer.Task;
    }

    /// <inheritdoc/>
    public bool TrySendClose(ulong handoffId, string name, bool wait)
    {
        Span<byte> frame = stackalloc byte[SessionFrames.MaxCloseLength];
        var length = SessionFrames.WriteClose(frame, handoffId, name);
        try
        {
            return UnixSockets.TrySend(_socket, frame[..length], _path, wait);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The session ended, and with it every mapping the daemon counted for it.
            return true;
        }
    }

    /// <summary>
    /// Nobody takes this handoff any more. A descriptor already here is closed now; one still on
    /// its way finds the waiter cancelled and is closed by the receiver.
    /// </summary>
    private void Abandon(ulong handoffId, TaskCompletionSource<FileDescriptor> waiter)
    {
        if (!waiter.TrySetCanceled())
        {
            _handoffs.TryRemove(handoffId, out _);
            if (waiter.Task.IsCompletedSuccessfully)
            {
                waiter.Task.Result.Dispose();
            }
        }
    }

    /// <summary>
    /// Ends the session. Safe from any thread, more than once, and after the daemon already
    /// closed the session: only the first call shuts the socket down, and it is closed only once
    /// the receiver no longer uses it.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        UnixSockets.Shutdown(_socket);
        if (Thread.CurrentThread != _receiver)
        {
            _receiver.Join();
        }

        _socket.Dispose();
        foreach (var waiter in _handoffs.Values)
        {
            if (waiter.Task.IsCompletedSuccessfully)
            {
                waiter.Task.Result.Dispose();
            }
        }

        _closed.TrySetResult();
    }

    private static TaskCompletionSource<FileDescriptor> NewWaiter(ulong _) => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Receive()
    {
        var buffer = new byte[SessionFrames.MaxLength];
        var ids = new ulong[SessionFrames.MaxTakenIds];
        var arrived = new FileDescriptor[SessionFrames.MaxTakenIds];
        try
        {
            while (true)
            {
                // Block for one message, then take whatever else is already queued.
                var count = 0;
                var ended = false;
                while (count < ids.Length)
                {
                    var received = UnixSockets.Receive(_socket, buffer, out var descriptor, _path, wait: count == 0);
                    if (received < 0)
                    {
                        break;
                    }

                    if (received == 0)
                    {
                        descriptor?.Dispose();
                        ended = true;
                        break;
                    }

                    var message = buffer.AsSpan(0, received);
                    if (SessionFrames.TryReadFd(message, out var handoffId) && descriptor is not null)
                    {
                        ids[count] = handoffId;
                        arrived[count++] = descriptor;
                    }
                    else if (!TryAnswer(message, descriptor))
                    {
                        descriptor?.Dispose();
                    }
                }

                for (var i = 0; i < count; i++)
                {
                    if (!_handoffs.GetOrAdd(ids[i], NewWaiter).TrySetResult(arrived[i]))
                    {
                        // Abandoned (its open was cancelled) or a duplicate id: nobody takes it.
                        _handoffs.TryRemove(ids[i], out _);
                        arrived[i].Dispose();
                    }
                }

                if (ended)
                {
                    _failure = new IOException($"mapd closed the session on {_path}");
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidDataException)
        {
            _failure = e;
        }

        foreach (var (id, waiter) in _handoffs)
        {
            waiter.TrySetException(new IOException($"the mapd session ended before handoff {id} arrived", _failure));
        }

        foreach (var id in _opens.Keys)
        {
            if (_opens.TryRemove(id, out var open))
            {
                open.TrySetException(new IOException("the mapd session ended before it answered an open", _failure));
            }
        }

        _closed.TrySetResult();
    }

    /// <summary>
    /// Hands an OPENED (with its descriptor) or OPEN_FAILED to the open that asked; false when
    /// <paramref name="message"/> is neither, or answers nothing asked here.
    /// </summary>
    private bool TryAnswer(ReadOnlySpan<byte> message, FileDescriptor? descriptor)
    {
        if (descriptor is not null && SessionOpenFrames.TryReadOpened(message, out var requestId, out var handoffId, out var access, out var region))
        {
            var response = new OpenResponse { Region = region, HandoffId = handoffId, Access = access };
            return _opens.TryRemove(requestId, out var open) && open.TrySetResult(new OpenedOnSession(response, descriptor));
        }

        if (descriptor is null && SessionOpenFrames.TryReadFailed(message, out requestId, out var code, out var reason))
        {
            return _opens.TryRemove(requestId, out var open) && open.TrySetException(new MapdException((StatusCode)code, reason));
        }

        return false;
    }
}
