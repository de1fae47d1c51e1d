using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Api.Wire;

/// <summary>Log lines about calls refused before a handler ran.</summary>
internal static partial class WireLog
{
    [LoggerMessage(EventId = 450, EventName = "MalformedCall", Level = LogLevel.Warning,
        Message = "{Method} from uid {Uid} pid {Pid} answered {Code}: {Detail} ({HeldBack} more such lines from this peer held back)")]
    public static partial void MalformedCall(ILogger logger, string method, uint uid, int pid, StatusCode code, string detail, int heldBack);
}
