using Mapd.Native;
using Microsoft.Extensions.Logging;

namespace Mapd.Client.Internal.Mapping;

/// <summary>
/// How much address space a mapping reserves so it can grow in place, and how it is mapped.
/// The reservation is never more than <see cref="MaximumReservation"/> (whatever <c>max_size</c>
/// a region's creator hinted) and never less than the mapping; if the kernel still refuses it
/// for want of address space (ENOMEM), just the mapping is mapped, and a later grow remaps.
/// </summary>
internal sealed class MappingPolicy(long reservationFactor, long minimumReservation, long maximumReservation, bool prefaultOnRemap, ILogger logger)
{
    public long MaximumReservation { get; } = maximumReservation;

    public bool PrefaultOnRemap { get; } = prefaultOnRemap;

    public static MappingPolicy From(MapdClientOptions options, ILogger logger) =>
        new(options.ReservationFactor, options.MinimumReservation, options.MaximumReservation, options.PrefaultOnRemap, logger);

    /// <summary>Bytes of address space to reserve for a mapping of <paramref name="length"/> bytes.</summary>
    public long Reservation(long length, ulong maxSizeHint)
    {
        var wanted = maxSizeHint > 0
            ? (long)Math.Min(maxSizeHint, long.MaxValue)
            : Math.Max(Saturating(length, reservationFactor), minimumReservation);
        return Math.Max(length, Math.Min(wanted, MaximumReservation));
    }

    /// <summary>Maps <paramref name="length"/> bytes of the region inside a reservation, or without one when the address space is short.</summary>
    public MemoryMapping Map(FileDescriptor descriptor, long length, bool writable, ulong maxSizeHint, string name)
    {
        var reservation = Reservation(length, maxSizeHint);
        var what = $"region '{name}'";
        try
        {
            return MemoryMapping.MapShared(descriptor, length, writable, reservation, what);
        }
        catch (SystemCallException e) when (e.Errno == Errnos.ENOMEM && reservation > length)
        {
            MappingLog.ReservationRefused(logger, name, reservation, length, e);
            return MemoryMapping.MapShared(descriptor, length, writable, length, what);
        }
    }

    private static long Saturating(long length, long factor) =>
        factor <= 1 ? length : length > long.MaxValue / factor ? long.MaxValue : length * factor;
}
