using Mapd.Client.Internal.Sessions;
using Mapd.Protocol.V1;

namespace Mapd.Client.Internal.Tracking;

/// <summary>
/// Name → this process's mappings of it, with the bookkeeping that keeps the daemon's count of
/// mappers right: opens in flight, and the Close sent when the last use of a name ends. The
/// Close waits <c>linger</c> first, unless the name is opened again meanwhile (open/close
/// churn then costs one call, not two) or a shrink is announced (nothing here holds it up).
/// An open the daemon answered counts as a use even when it then fails here, so its Close is
/// never forgotten. The Close names the last handoff the daemon answered with, so an open that
/// overtakes it stands; a Close that must go as a call instead (an answer was lost, or the
/// socket is full) is waited for by opens of the name, so the daemon sees them in order.
/// </summary>
internal sealed class RegionTable(TimeSpan linger, TimeProvider time, IRegionCloser closer)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RegionEntry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Region> _latest = new(StringComparer.Ordinal);
    private bool _stopped;

    /// <summary>Starts an open of <paramref name="name"/>: calls off a lingering Close; the caller awaits <see cref="OpenTicket.Closing"/> first.</summary>
    public OpenTicket BeginOpen(string name)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(name, out var entry))
            {
                _entries[name] = entry = new RegionEntry(name);
            }

            entry.Opening++;
            entry.StopLinger();
            return new OpenTicket(entry, entry.Closing);
        }
    }

    /// <summary>
    /// <paramref name="session"/> answered the open with <paramref name="handoffId"/>: the daemon
    /// counts it as a mapper of the name from now on. A null session ended already.
    /// </summary>
    public void Replied(OpenTicket ticket, SessionState? session, ulong handoffId)
    {
        lock (_gate)
        {
            ticket.Entry.Registered = true;
            Answered(ticket.Entry, session, handoffId);
        }
    }

    /// <summary>The open was given up on its way: the daemon may have answered it all the same, under a handoff id never seen here.</summary>
    public void AnswerLost(OpenTicket ticket)
    {
        lock (_gate)
        {
            ticket.Entry.Registered = true;
            ticket.Entry.AnswerLost = true;
        }
    }

    /// <summary>
    /// A re-attach opened <paramref name="name"/> again on <paramref name="session"/>. Returns
    /// false when nothing here uses the name any more: the caller closes it.
    /// </summary>
    public bool Reattached(string name, SessionState session, ulong handoffId)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(name, out var entry) || entry.Unused || !entry.Registered)
            {
                return false;
            }

            Answered(entry, session, handoffId);
            return true;
        }
    }

    /// <summary>Registers the mapping the open made; returns a newer state of the region that arrived meanwhile, if any.</summary>
    public Region? Add(OpenTicket ticket, MappedRegion region)
    {
        lock (_gate)
        {
            ticket.Entry.Mappings.Add(region);
            return _latest.TryGetValue(region.Name, out var latest) && latest.Generation > region.Info.Generation ? latest : null;
        }
    }

    /// <summary>Ends an open, whatever its outcome. If it was the last use of the name, the daemon is told (if it counts this session).</summary>
    public void EndOpen(OpenTicket ticket)
    {
        lock (_gate)
        {
            ticket.Entry.Opening--;
            Release(ticket.Entry);
        }
    }

    /// <summary>A mapping was disposed.</summary>
    public void Forget(MappedRegion region)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(region.Name, out var entry) && entry.Mappings.Remove(region))
            {
                Release(entry);
            }
        }
    }

    /// <summary>Records the newest state seen of a region; returns whether this process uses the name.</summary>
    public bool Observe(Region region, RegionEvent.Types.Kind kind)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(region.Name, out var entry))
            {
                return false;
            }

            // Kept even before a mapping is registered: an open racing with a resize catches up from it.
            if (!_latest.TryGetValue(region.Name, out var latest) || region.Generation > latest.Generation)
            {
                _latest[region.Name] = region;
            }

            if (entry.Mappings.Count == 0 && entry.Linger is not null && kind == RegionEvent.Types.Kind.ShrinkPending)
            {
                // Nothing here maps it any more: let the shrink go on rather than wait for the linger.
                entry.StopLinger();
                SendClose(entry);
            }

            return true;
        }
    }

    /// <summary>The mappings of <paramref name="name"/> now.</summary>
    public List<MappedRegion> Snapshot(string name)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(name, out var entry) ? [.. entry.Mappings] : [];
        }
    }

    /// <summary>Every name mapped here, with the widest access any mapping has and one mapping to compare files with.</summary>
    public List<MappedName> Mapped()
    {
        lock (_gate)
        {
            return [.. _entries.Values.Where(e => e.Mappings.Count > 0).Select(e => new MappedName(
                e.Name,
                e.Mappings.Any(r => r.Access == RegionAccess.ReadWrite) ? RegionAccess.ReadWrite : RegionAccess.ReadOnly,
                e.Mappings[0]))];
        }
    }

    /// <summary>The client is going away: its session ends, so no Close is needed any more.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopped = true;
            foreach (var entry in _entries.Values)
            {
                entry.StopLinger();
            }
        }
    }

    private static void Answered(RegionEntry entry, SessionState? session, ulong handoffId)
    {
        if (session is null)
        {
            return;
        }

        entry.LastHandoff = entry.AnsweredOn == session ? Math.Max(entry.LastHandoff, handoffId) : handoffId;
        entry.AnsweredOn = session;
    }

    private void Release(RegionEntry entry)
    {
        if (!entry.Unused)
        {
            return;
        }

        if (!entry.Registered || _stopped)
        {
            // Never answered (or the session ends with the client): nothing to close.
            if (entry.Linger is null && entry.Closing.IsCompleted && _entries.GetValueOrDefault(entry.Name) == entry)
            {
                Remove(entry);
            }

            return;
        }

        entry.StopLinger();
        if (linger <= TimeSpan.Zero)
        {
            SendClose(entry);
            return;
        }

        entry.Linger = time.CreateTimer(static state => ((Lingering)state!).Expire(), new Lingering(this, entry), linger, Timeout.InfiniteTimeSpan);
    }

    private void CloseAfterLinger(RegionEntry entry)
    {
        lock (_gate)
        {
            entry.StopLinger();
            if (entry.Unused && entry.Registered && !_stopped && _entries.GetValueOrDefault(entry.Name) == entry)
            {
                SendClose(entry);
            }
        }
    }

    /// <summary>Sends Close; the name is forgotten once it is done, unless it was opened again meanwhile.</summary>
    private void SendClose(RegionEntry entry)
    {
        var order = new CloseOrder(entry.Name, entry.AnswerLost ? null : entry.AnsweredOn, entry.LastHandoff);
        entry.Registered = false;
        entry.AnswerLost = false;
        entry.AnsweredOn = null;
        entry.LastHandoff = 0;
        if (order.Session is not null && entry.Closing.IsCompleted && closer.TryCloseNow(order))
        {
            ForgetIfClosed(entry);
            return;
        }

        entry.Closing = SendCloseAsync(entry, entry.Closing, order);
    }

    private async Task SendCloseAsync(RegionEntry entry, Task previous, CloseOrder order)
    {
        await Task.Yield();
        try
        {
            await previous;
            await closer.CloseAsync(order);
        }
        finally
        {
            lock (_gate)
            {
                ForgetIfClosed(entry);
            }
        }
    }

    private void ForgetIfClosed(RegionEntry entry)
    {
        if (entry.Unused && !entry.Registered && entry.Linger is null && _entries.GetValueOrDefault(entry.Name) == entry)
        {
            Remove(entry);
        }
    }

    private void Remove(RegionEntry entry)
    {
        _entries.Remove(entry.Name);
        _latest.Remove(entry.Name);
    }

    private sealed record Lingering(RegionTable Table, RegionEntry Entry)
    {
        public void Expire() => Table.CloseAfterLinger(Entry);
    }
}

/// <summary>An open in progress: its entry, and the Close of the name it must wait for.</summary>
internal sealed record OpenTicket(RegionEntry Entry, Task Closing);

/// <summary>A name this process maps, as re-registered after a daemon restart.</summary>
internal sealed record MappedName(string Name, RegionAccess Access, MappedRegion Sample);
