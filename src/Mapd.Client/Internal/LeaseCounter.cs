using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mapd.Client.Internal;

/// <summary>
/// Counts leases on one mapping without a shared hot cache line: each lease increments a
/// counter slot chosen by the current CPU, and decrements the same slot when it ends (even if
/// its thread moved). Every slot is therefore never negative, and "all slots read zero after
/// retirement was published" means nobody is inside.
/// </summary>
/// <remarks>
/// The protocol, with <see cref="MappingView"/>:
/// <list type="number">
/// <item><description>Announce: a reader increments its slot (<see cref="Enter"/>, a full fence),
/// then reads the view's retired flag. If it is set, it exits again and retries on the newer view.</description></item>
/// <item><description>Retire: the writer sets the retired flag, then issues a full fence
/// (<c>Interlocked.MemoryBarrier</c> in <see cref="MappingView.Retire"/>).</description></item>
/// <item><description>Drain: after retiring, the writer reads every slot (<see cref="IsIdle"/>);
/// each reader, on <see cref="Exit"/> (a full fence) of a retired view, does the same. Whoever
/// sees all zeros first releases the view.</description></item>
/// </list>
/// The two full fences pair up (a Dekker handshake): either the reader's increment is visible to
/// the writer's drain, or the writer's retired flag is visible to the reader's check. So a
/// reader that went on to touch the mapping is always counted until it exits.
/// </remarks>
internal sealed class LeaseCounter
{
    private readonly PaddedSlot[] _slots;
    private readonly int _mask;

    public LeaseCounter()
    {
        var slots = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(Environment.ProcessorCount, 1));
        _mask = slots - 1;

        // Slot 0 is never used: it keeps the first counter off the array header's line.
        _slots = new PaddedSlot[slots + 1];
    }

    /// <summary>Enters (announce); returns the slot to pass to <see cref="Exit"/>. Full fence.</summary>
    public int Enter()
    {
        var slot = (Thread.GetCurrentProcessorId() & _mask) + 1;
        Interlocked.Increment(ref Slot(slot).Count);
        return slot;
    }

    /// <summary>Leaves the slot entered (retire of one lease). Full fence.</summary>
    public void Exit(int slot) => Interlocked.Decrement(ref Slot(slot).Count);

    /// <summary>True when no lease is inside (drain). Meaningful once new entrants are turned away.</summary>
    public bool IsIdle()
    {
        for (var i = 1; i < _slots.Length; i++)
        {
            if (Volatile.Read(ref _slots[i].Count) != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>No bounds check on the hot path: <paramref name="slot"/> comes from <see cref="Enter"/>.</summary>
    private ref PaddedSlot Slot(int slot) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_slots), slot);

    /// <summary>
    /// One counter alone on 128 bytes: two 64-byte cache lines, since x86's adjacent-line
    /// prefetcher fetches lines in 128-byte pairs. Counters of different CPUs never share a pair.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct PaddedSlot
    {
        [FieldOffset(0)]
        public long Count;
    }
}
