using Microsoft.Extensions.Logging;

namespace Mapd.Client.Internal.Mapping;

/// <summary>What mapping regions reports. Event ids 300-399.</summary>
internal static partial class MappingLog
{
    [LoggerMessage(EventId = 300, EventName = "ReservationRefused", Level = LogLevel.Warning,
        Message = "No room for {Reservation} bytes of address space for region '{Name}'; mapped its {Length} bytes without room to grow in place (a grow will remap)")]
    public static partial void ReservationRefused(ILogger logger, string name, long reservation, long length, Exception exception);
}
