using Mapd.Server.Errors;

namespace Mapd.Server.Regions;

/// <summary>
/// Bytes regions take out of the storage's capacity: the sum of their accounted sizes,
/// deleted-but-mapped regions included, never above <see cref="Capacity"/>. Lock-free, so
/// creates and grows of different regions never wait for each other here.
/// </summary>
internal sealed class CapacityLedger(long capacity)
{
    private long _reserved;

    /// <summary>Bytes regions may take in total.</summary>
    public long Capacity { get; } = capacity;

    /// <summary>Bytes taken now.</summary>
    public long Reserved => Volatile.Read(ref _reserved);

    /// <summary>Takes <paramref name="bytes"/>, or refuses (RESOURCE_EXHAUSTED) naming <paramref name="what"/> when they do not fit.</summary>
    public void Reserve(long bytes, string what)
    {
        if (bytes <= 0)
        {
            return;
        }

        var reserved = Volatile.Read(ref _reserved);
        while (true)
        {
            if (reserved + bytes > Capacity)
            {
                var free = Math.Max(Capacity - reserved, 0);
                throw RefusedException.Exhausted(
                    $"cannot {what}: storage capacity is {ByteSize.Format((ulong)Capacity)} and {ByteSize.Format((ulong)reserved)} is taken ({ByteSize.Format((ulong)free)} free); delete or shrink regions, or raise Mapd:Storage:Size");
            }

            var seen = Interlocked.CompareExchange(ref _reserved, reserved + bytes, reserved);
            if (seen == reserved)
            {
                return;
            }

            reserved = seen;
        }
    }

    /// <summary>Counts <paramref name="bytes"/> that are taken already (recovered at start-up), even past capacity.</summary>
    public void Restore(long bytes) => Interlocked.Add(ref _reserved, bytes);

    /// <summary>Gives <paramref name="bytes"/> back.</summary>
    public void Release(long bytes)
    {
        if (bytes > 0)
        {
            Interlocked.Add(ref _reserved, -bytes);
        }
    }
}
