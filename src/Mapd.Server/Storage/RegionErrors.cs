using Grpc.Core;

namespace Mapd.Server.Storage;

/// <summary>The contract's error statuses, each with a message that says what to do.</summary>
public static class RegionErrors
{
    /// <summary>INVALID_ARGUMENT.</summary>
    public static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));

    /// <summary>NOT_FOUND for a region name.</summary>
    public static RpcException NotFound(string name) =>
        new(new Status(StatusCode.NotFound, $"region '{name}' does not exist; list regions with 'mapctl ls' or create it first"));

    /// <summary>ALREADY_EXISTS for a region name.</summary>
    public static RpcException AlreadyExists(string name) =>
        new(new Status(StatusCode.AlreadyExists, $"region '{name}' already exists; open it instead, or delete it first"));

    /// <summary>NOT_FOUND for a region the calling session has not opened.</summary>
    public static RpcException NotOpen(string name, string what) =>
        new(new Status(StatusCode.NotFound, $"this session does not have region '{name}' open; nothing to {what}"));

    /// <summary>PERMISSION_DENIED.</summary>
    public static RpcException Denied(string message) => new(new Status(StatusCode.PermissionDenied, message));

    /// <summary>RESOURCE_EXHAUSTED.</summary>
    public static RpcException Exhausted(string message) => new(new Status(StatusCode.ResourceExhausted, message));

    /// <summary>FAILED_PRECONDITION.</summary>
    public static RpcException Precondition(string message) => new(new Status(StatusCode.FailedPrecondition, message));

    /// <summary>UNAVAILABLE.</summary>
    public static RpcException Unavailable(string message) => new(new Status(StatusCode.Unavailable, message));
}
