using Grpc.Core;

namespace Mapd.Client;

/// <summary>The daemon refused a request, or could not be reached. <see cref="Exception.Message"/> says what to do.</summary>
public sealed class MapdException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MapdException(StatusCode code, string message, Exception? inner = null)
        : base(message, inner) => Code = code;

    /// <summary>The gRPC status code (NotFound, AlreadyExists, PermissionDenied, ResourceExhausted...).</summary>
    public StatusCode Code { get; }

    internal static MapdException From(RpcException e) => new(e.StatusCode, e.Status.Detail, e);
}
