namespace Mapd.Server.Errors;

/// <summary>Why the daemon refused a request. The Api layer turns each into the contract's gRPC status of the same name.</summary>
public enum Refusal
{
    /// <summary>A bad name, size, mode, access or generation.</summary>
    InvalidArgument,

    /// <summary>No such region (or the session does not map it).</summary>
    NotFound,

    /// <summary>A region of that name exists.</summary>
    AlreadyExists,

    /// <summary>The caller's uid, gid and groups do not allow it.</summary>
    PermissionDenied,

    /// <summary>Capacity, a limit or a quota is used up.</summary>
    ResourceExhausted,

    /// <summary>A generation mismatch, or a missing or foreign session.</summary>
    FailedPrecondition,

    /// <summary>The daemon is shutting down.</summary>
    Unavailable,

    /// <summary>The caller's deadline passed while the request waited its turn.</summary>
    DeadlineExceeded,
}
