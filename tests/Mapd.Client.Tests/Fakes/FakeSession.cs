using System.Threading.Channels;
using Mapd.Client.Internal.Sessions;
using Mapd.Native;
using Mapd.Protocol.V1;

namespace Mapd.Client.Tests.Fakes;

/// <summary>A session without a daemon: the test ends it and decides what each handoff yields.</summary>
internal sealed class FakeSession(string id) : ISession
{
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposals;

    public string Id { get; } = id;

    public Task Closed => _closed.Task;

    public bool IsClosed => _closed.Task.IsCompleted;

    public int Disposals => Volatile.Read(ref _disposals);

    public Exception? Failure => IsClosed ? new IOException($"mapd closed session {Id}") : null;

    /// <summary>What TakeAsync does; by default it waits until cancelled.</summary>
    public Func<ulong, CancellationToken, Task<FileDescriptor>> Take { get; set; } = async (_, cancellationToken) =>
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("unreachable");
    };

    /// <summary>The handoffs asked for.</summary>
    public List<ulong> Taken { get; } = [];

    /// <summary>CLOSE frames sent, in order.</summary>
    public Channel<(string Name, ulong HandoffId)> Closes { get; } = Channel.CreateUnbounded<(string, ulong)>();

    /// <summary>Whether the socket is full: a CLOSE that may not wait is refused.</summary>
    public bool Full { get; set; }

    /// <summary>What TryOpen does (an OPEN on the socket); by default the socket is full, so opens are calls.</summary>
    public Func<string, Access, Task<OpenedOnSession>?> Open { get; set; } = (_, _) => null;

    /// <summary>The daemon went away.</summary>
    public void End() => _closed.TrySetResult();

    public Task<FileDescriptor> TakeAsync(ulong handoffId, CancellationToken cancellationToken)
    {
        lock (Taken)
        {
            Taken.Add(handoffId);
        }

        return Take(handoffId, cancellationToken);
    }

    public Task<OpenedOnSession>? TryOpen(string name, Access access) => Open(name, access);

    public bool TrySendClose(ulong handoffId, string name, bool wait)
    {
        if (Full && !wait)
        {
            return false;
        }

        Closes.Writer.TryWrite((name, handoffId));
        return true;
    }

    /// <summary>The next CLOSE sent, within 30 s.</summary>
    public async Task<(string Name, ulong HandoffId)> NextCloseAsync() =>
        await Closes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    public void Dispose()
    {
        Interlocked.Increment(ref _disposals);
        _closed.TrySetResult();
    }
}
