using System.Net.Sockets;
using Mapd.Native;
using Mapd.Server.Errors;
using Mapd.Server.Meters;
using Mapd.Server.Peers;

namespace Mapd.Server.Sessions;

/// <summary>
/// One client process's connection to <c>mapd-fd.sock</c>. The connection is the lease on
/// everything the session maps: when the kernel closes it, the session ends.
/// </summary>
public sealed class Session : IRegionMapper, IDisposable
{
    private static long s_lastHandoffId;
    private readonly Socket _socket;
    // Handoffs sent and not acknowledged, in the order the socket holds them.
    private readonly List<ulong> _unread = [];
    private readonly SemaphoreSlim _slots;
    private readonly Lock _sending = new();
    private readonly int _maxUnread;
    private readonly int _queuedMessageCost;

    // While opens wait for room, one loop per session looks at the kernel's count (clients that
    // send no TAKEN), soon at first, then backing off, so a client that never reads costs little.
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan LastPoll = TimeSpan.FromMilliseconds(100);
    private int _waiting;
    private int _polling;

    /// <param name="socket">The accepted connection.</param>
    /// <param name="id">The 16-byte session id.</param>
    /// <param name="caller">The process that connected.</param>
    /// <param name="maxUnread">The most descriptors that may wait unread in the client's socket.</param>
    /// <param name="queuedMessageCost">What one unread message adds to the socket's SIOCOUTQ (see <see cref="UnixSockets.MeasureQueuedMessageCost"/>).</param>
    /// <param name="since">When the session began.</param>
    internal Session(Socket socket, byte[] id, CallerIdentity caller, int maxUnread, int queuedMessageCost, DateTimeOffset since)
    {
        _socket = socket;
        IdBytes = id;
        Id = Convert.ToHexStringLower(id);
        Caller = caller;
        _maxUnread = maxUnread;
        _queuedMessageCost = queuedMessageCost;
        _slots = new SemaphoreSlim(maxUnread, maxUnread);
        Since = since;
    }

    /// <summary>The 16-byte session id.</summary>
    public byte[] IdBytes { get; }

    /// <summary>The session id as 32 lowercase hex digits, as in <c>mapd-session</c> metadata.</summary>
    public string Id { get; }

    /// <summary>The process that opened the session.</summary>
    public CallerIdentity Caller { get; }

    /// <inheritdoc />
    public int Pid => Caller.Pid;

    /// <inheritdoc />
    public uint Uid => Caller.Uid;

    /// <summary>When the session began.</summary>
    public DateTimeOffset Since { get; }

    /// <inheritdoc />
    public MapperRegistrations Registrations { get; } = new();

    /// <summary>
    /// Descriptors sent and not yet read, by the kernel's count of the messages still in the
    /// client's socket; TAKEN can only make the count lower sooner, never lift the bound.
    /// </summary>
    public int UnreadDescriptors
    {
        get
        {
            var (_, queued) = ForgetWhatWasRead();
            int acknowledged;
            lock (_unread)
            {
                acknowledged = _unread.Count;
            }

            // The socket going away leaves only the acknowledgements to count.
            return Math.Max(acknowledged, queued ?? 0);
        }
    }

    internal Socket Socket => _socket;

    /// <summary>
    /// Reserves room for one more unread descriptor. A client that reads its socket frees room
    /// within microseconds, so a burst of concurrent opens waits briefly; a client that does not
    /// read gets RESOURCE_EXHAUSTED after <paramref name="wait"/>.
    /// </summary>
    public async Task ReserveDescriptorAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (!_slots.Wait(0, CancellationToken.None) && !await WaitForSlotAsync(wait, cancellationToken))
        {
            throw UnreadLimit();
        }

        if (KernelQueueFull())
        {
            _slots.Release();
            throw UnreadLimit();
        }
    }

    /// <summary>Gives back a reservation that will not be used for a handoff.</summary>
    public void CancelReservation() => _slots.Release();

    /// <summary>
    /// A new handoff id, taken before the open it names is registered: ids only grow, so a
    /// CLOSE that names an older one than the session's newest open of a region is stale.
    /// </summary>
    public static ulong NextHandoffId() => (ulong)Interlocked.Increment(ref s_lastHandoffId);

    /// <summary>
    /// Sends <paramref name="descriptor"/> in an FD message as <paramref name="handoffId"/>
    /// (from <see cref="NextHandoffId"/>), using a reservation from
    /// <see cref="ReserveDescriptorAsync"/>. The kernel holds its own reference in flight, so
    /// the caller may close its copy at once.
    /// </summary>
    public void HandOff(FileDescriptor descriptor, ulong handoffId)
    {
        Span<byte> message = stackalloc byte[SessionFrames.HandoffLength];
        SessionFrames.WriteFd(message, handoffId);
        HandOff(descriptor, handoffId, message);
    }

    /// <summary>
    /// Sends <paramref name="descriptor"/> as <paramref name="handoffId"/> beside
    /// <paramref name="message"/> (an FD or OPENED message), as <see cref="HandOff(FileDescriptor, ulong)"/> does.
    /// </summary>
    public void HandOff(FileDescriptor descriptor, ulong handoffId, ReadOnlySpan<byte> message)
    {
        try
        {
            bool sent;
            lock (_sending)
            {
                // TAKEN is the client's word; the kernel's queue is the truth. Counting and sending
                // under one lock keeps concurrent opens from passing the bound together, and keeps
                // _unread in the socket's order.
                if (KernelQueueFull())
                {
                    _slots.Release();
                    throw UnreadLimit();
                }

                lock (_unread)
                {
                    _unread.Add(handoffId);
                }

                sent = UnixSockets.TrySendWithDescriptor(_socket.SafeHandle, message, descriptor, $"session {Id}");
            }

            if (sent)
            {
                MapdMetrics.FdHandedOff();
                return;
            }

            Forget(handoffId);
            throw RefusedException.Exhausted($"session {Id}'s socket is full: the client is not reading mapd-fd.sock; read the FD messages waiting there (the client library does) before opening more");
        }
        catch (SystemCallException e)
        {
            Forget(handoffId);
            throw RefusedException.Precondition($"session {Id} is closing ({e.ErrnoName}); connect a new session and retry");
        }
        catch (ObjectDisposedException)
        {
            Forget(handoffId);
            throw RefusedException.Precondition($"session {Id} has ended; connect a new session and retry");
        }
    }

    /// <summary>
    /// Sends <paramref name="message"/>, which carries no descriptor (an OPEN_FAILED), without
    /// waiting: false when the client's socket is full, because it is not reading it.
    /// </summary>
    public bool TrySend(ReadOnlySpan<byte> message)
    {
        try
        {
            lock (_sending)
            {
                return UnixSockets.TrySend(_socket.SafeHandle, message, $"session {Id}", wait: false);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The session is ending; its reader finds the connection closed.
            return true;
        }
    }

    /// <summary>The client took handoff <paramref name="handoffId"/> off its socket.</summary>
    /// <returns>False when no such descriptor was outstanding.</returns>
    public bool Taken(ulong handoffId) => Forget(handoffId);

    /// <inheritdoc />
    public void Dispose()
    {
        _socket.Dispose();
        _slots.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"session {Id} ({Caller.Pid}/{Caller.Uid})";

    private bool Forget(ulong handoffId)
    {
        lock (_unread)
        {
            if (!_unread.Remove(handoffId))
            {
                return false;
            }
        }

        _slots.Release();
        return true;
    }

    /// <summary>
    /// Waits for a slot until <paramref name="wait"/> passes. A TAKEN frees one at once; without
    /// TAKEN, the session's poll loop frees slots as the kernel's count shows the client reading.
    /// </summary>
    private async Task<bool> WaitForSlotAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        ForgetWhatWasRead();
        if (_slots.Wait(0, CancellationToken.None))
        {
            return true;
        }

        Interlocked.Increment(ref _waiting);
        try
        {
            StartPollingUnlessRunning();
            return await _slots.WaitAsync(wait, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    private void StartPollingUnlessRunning()
    {
        if (Interlocked.CompareExchange(ref _polling, 1, 0) == 0)
        {
            _ = PollWhileWaitingAsync();
        }
    }

    private async Task PollWhileWaitingAsync()
    {
        try
        {
            var delay = FirstPoll;
            while (Volatile.Read(ref _waiting) > 0)
            {
                await Task.Delay(delay);
                delay = ForgetWhatWasRead().Freed > 0 ? FirstPoll : TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LastPoll.Ticks));
            }
        }
        catch (ObjectDisposedException)
        {
            // The session ended; its waiting opens fail on their own.
            return;
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }

        // An open that began to wait just as the loop saw none waiting gets a loop of its own.
        if (Volatile.Read(ref _waiting) > 0)
        {
            StartPollingUnlessRunning();
        }
    }

    /// <summary>
    /// Frees the slots of handoffs the client read without acknowledging them: the socket is a
    /// queue, so of the handoffs sent, all but the newest the kernel still holds were read.
    /// </summary>
    /// <returns>How many slots it freed, and the kernel's count it went by (null when the socket is gone).</returns>
    private (int Freed, int? Queued) ForgetWhatWasRead()
    {
        var read = 0;
        int queued;
        lock (_sending)
        {
            try
            {
                queued = QueuedMessages();
            }
            catch (Exception e) when (e is SystemCallException or ObjectDisposedException)
            {
                return (0, null);
            }

            lock (_unread)
            {
                read = Math.Max(0, _unread.Count - queued);
                _unread.RemoveRange(0, read);
            }
        }

        if (read > 0)
        {
            _slots.Release(read);
        }

        return (read, queued);
    }

    /// <summary>Messages (WELCOME and FDs) the client has not read off its socket yet, by the kernel's count.</summary>
    private int QueuedMessages()
    {
        var queued = UnixSockets.QueuedBytes(_socket.SafeHandle);
        return (queued + _queuedMessageCost - 1) / _queuedMessageCost;
    }

    private bool KernelQueueFull()
    {
        try
        {
            return QueuedMessages() >= _maxUnread;
        }
        catch (Exception e) when (e is SystemCallException or ObjectDisposedException)
        {
            // The socket is going away; the send that follows says so.
            return false;
        }
    }

    private RefusedException UnreadLimit() => RefusedException.Exhausted(
        $"session {Id} has {_maxUnread} descriptors it has not taken from mapd-fd.sock (Mapd:Limits:MaxUnreadFds); read them (the client library does) before opening more");
}
