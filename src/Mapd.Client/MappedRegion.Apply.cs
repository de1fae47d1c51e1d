using Mapd.Client.Internal;
using Mapd.Protocol.V1;

namespace Mapd.Client;

/// <summary>
/// Following resizes: the views published to leases, and how a new state replaces them. It
/// shares <c>_current</c> with the lease fast path, which is why it is a part of this type.
/// </summary>
public sealed partial class MappedRegion
{
    private readonly SemaphoreSlim _applyGate = new(1, 1);
    private readonly Lock _publishGate = new();
    private readonly List<MappingView> _retired = [];
    private readonly ulong _maxSizeHint;
    private ulong _applied;

    /// <summary>The newest generation this mapping has fully applied.</summary>
    internal ulong AppliedGeneration => Volatile.Read(ref _applied);

    /// <summary>
    /// Brings the mapping to <paramref name="region"/>'s state if it is newer than what was
    /// applied (<see cref="AppliedGeneration"/> then says so). Calls for one region run one at a
    /// time; the caller sends Release afterwards.
    /// </summary>
    internal async Task ApplyAsync(Region region, RegionEvent.Types.Kind kind)
    {
        await _applyGate.WaitAsync();
        try
        {
            if (IsDisposed)
            {
                return;
            }

            if (kind == RegionEvent.Types.Kind.Deleted)
            {
                Raise(new RegionChange(RegionChangeKind.Deleted, Size, _applied));
                return;
            }

            if (region.Generation > _applied)
            {
                await ApplyNewerAsync(region);
            }
        }
        catch (ObjectDisposedException) when (IsDisposed)
        {
        }
        finally
        {
            _applyGate.Release();
        }
    }

    private async Task ApplyNewerAsync(Region region)
    {
        var current = Volatile.Read(ref _current);
        var target = MappedLength(region);
        if (target > current.Length)
        {
            var moved = Grow(current, target, region.Generation);
            Volatile.Write(ref _applied, region.Generation);
            Raise(new RegionChange(RegionChangeKind.Grown, target, region.Generation, moved));
        }
        else if (target < current.Length)
        {
            await ShrinkAsync(current, target, region.Generation);
            Volatile.Write(ref _applied, region.Generation);
        }
        else
        {
            Volatile.Write(ref _applied, region.Generation);
            Publish(new MappingView(current.Owner, target, region.Generation), current);
        }
    }

    private bool Grow(MappingView current, long target, ulong generation)
    {
        if (current.Owner.Mapping.TryGrowInPlace(_descriptor, target, $"region '{Name}'"))
        {
            Publish(new MappingView(current.Owner, target, generation), current);
            return false;
        }

        // No room at this address: map the file again elsewhere (no byte is copied), fault in what
        // was in use so the first readers there do not pay for it, publish, and let the old
        // mapping go once its last lease ends.
        var writable = Access == RegionAccess.ReadWrite;
        var mapping = _host.Mapping.Map(_descriptor, target, writable, _maxSizeHint, Name);
        if (_host.Mapping.PrefaultOnRemap)
        {
            mapping.Populate(current.Length, forWrite: writable);
        }

        Publish(new MappingView(new MappingOwner(mapping), target, generation), current);
        return true;
    }

    private async Task ShrinkAsync(MappingView current, long target, ulong generation)
    {
        Publish(new MappingView(current.Owner, target, generation), current);
        Raise(new RegionChange(RegionChangeKind.ShrinkPending, target, generation));

        // The in-process grace period: every lease on any older view may still touch the tail.
        Task[] draining;
        lock (_publishGate)
        {
            _retired.RemoveAll(v => v.Drained.IsCompleted);
            draining = [.. _retired.Select(v => v.Drained)];
        }

        await Task.WhenAll(draining);
        lock (_publishGate)
        {
            if (!IsDisposed)
            {
                Volatile.Read(ref _current).Owner.Mapping.ShrinkTo(target);
            }
        }

        Raise(new RegionChange(RegionChangeKind.Shrunk, target, generation));
    }

    private void Publish(MappingView next, MappingView previous)
    {
        lock (_publishGate)
        {
            if (IsDisposed)
            {
                next.Retire();
                return;
            }

            Volatile.Write(ref _current, next);
            _retired.Add(previous);
            previous.Retire();
        }
    }
}
