using System.Numerics;
using System.Runtime.InteropServices;

namespace Mapd.Client.Internal;

/// <summary>
/// Counts leases on one mapping without a shared hot cache line: each lease increments a
/// counter slot chosen by the current CPU, and decrements the same slot when it ends (even if
/// its thread moved). Every slot is therefore never negative, and "all slots read zero after
/// retirement was published" means nobody is inside.
/// </summary>
internal sealed class LeaseCounter
{
    // 128 bytes per slot: adjacent-line prefetch pairs 64-byte lines on x86.
    private const int Stride = 16;
    private readonly long[] _slots;
    private readonly int _mask;

    public LeaseCounter()
    {
        var slots = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(Environment.ProcessorCount, 1));
        _mask = slots - 1;
        _slots = new long[(slots + 1) * Stride];
    }

    /// <summary>Enters; returns the slot to pass to <see cref="Exit"/>. Full fence.</summary>
    public int Enter()
    {
        var slot = ((Thread.GetCurrentProcessorId() & _mask) + 1) * Stride;
        Interlocked.Increment(ref MemoryMarshal.GetArrayDataReference(_slots).Offset(slot));
        return slot;
    }

    /// <summary>Leaves the slot entered. Full fence.</summary>
    public void Exit(int slot) => Interlocked.Decrement(ref MemoryMarshal.GetArrayDataReference(_slots).Offset(slot));

    /// <summary>True when no lease is inside. Meaningful once new entrants are turned away.</summary>
    public bool IsIdle()
    {
        for (var i = Stride; i < _slots.Length; i += Stride)
        {
            if (Volatile.Read(ref _slots[i]) != 0)
            {
                return false;
            }
        }

        return true;
    }
}

file static class RefOffset
{
    public static ref long Offset(this ref long start, int index) => ref System.Runtime.CompilerServices.Unsafe.Add(ref start, index);
}
