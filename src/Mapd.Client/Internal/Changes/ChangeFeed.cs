using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Mapd.Client.Internal.Changes;

/// <summary>
/// Hands a region's changes to its listeners in the order they were published: to every
/// <see cref="Subscribe"/> reader through its own queue, and to the <c>Changed</c> handlers
/// one at a time on a thread-pool thread, so a handler never sees a change before the one
/// published ahead of it, and never two at once.
/// </summary>
internal sealed class ChangeFeed
{
    private readonly Lock _gate = new();
    private readonly List<Channel<RegionChange>> _readers = [];
    private readonly Queue<(Action<RegionChange> Handler, RegionChange Change)> _pending = new();
    private bool _delivering;
    private bool _completed;

    /// <summary>Queues <paramref name="change"/> for every reader, and for <paramref name="handler"/> (the handlers subscribed now) if any.</summary>
    public void Publish(RegionChange change, Action<RegionChange>? handler)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            foreach (var reader in _readers)
            {
                reader.Writer.TryWrite(change);
            }

            if (handler is null)
            {
                return;
            }

            _pending.Enqueue((handler, change));
            if (_delivering)
            {
                return;
            }

            _delivering = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static feed => feed.Deliver(), this, preferLocal: false);
    }

    /// <summary>The changes published from now on, until <paramref name="cancellationToken"/> or <see cref="Complete"/>.</summary>
    public IAsyncEnumerable<RegionChange> Subscribe(CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<RegionChange>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            if (_completed)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _readers.Add(channel);
            }
        }

        return ReadAsync(channel, cancellationToken);
    }

    /// <summary>No change follows: readers finish once they read what is queued.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            foreach (var reader in _readers)
            {
                reader.Writer.TryComplete();
            }
        }
    }

    private void Deliver()
    {
        while (true)
        {
            (Action<RegionChange> Handler, RegionChange Change) next;
            lock (_gate)
            {
                if (!_pending.TryDequeue(out next))
                {
                    _delivering = false;
                    return;
                }
            }

            next.Handler(next.Change);
        }
    }

    private async IAsyncEnumerable<RegionChange> ReadAsync(Channel<RegionChange> channel, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var change in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return change;
            }
        }
        finally
        {
            lock (_gate)
            {
                _readers.Remove(channel);
            }
        }
    }
}
