namespace Mapd.Server.Errors;

/// <summary>
/// The daemon refused a request: a <see cref="Refusal"/> and a message that says what to do.
/// Thrown below the Api layer, which alone turns it into a gRPC status.
/// </summary>
public sealed class RefusedException : Exception
{
    /// <summary>Creates the refusal.</summary>
    public RefusedException(Refusal reason, string message)
        : base(message) => Reason = reason;

    /// <summary>Why.</summary>
    public Refusal Reason { get; }

    /// <summary>INVALID_ARGUMENT.</summary>
    public static RefusedException Invalid(string message) => new(Refusal.InvalidArgument, message);

    /// <summary>NOT_FOUND for a region name.</summary>
    public static RefusedException NotFound(string name) =>
        new(Refusal.NotFound, $"region '{name}' does not exist; list regions with 'mapctl ls' or create it first");

    /// <summary>ALREADY_EXISTS for a region name.</summary>
    public static RefusedException AlreadyExists(string name) =>
        new(Refusal.AlreadyExists, $"region '{name}' already exists; open it instead, or delete it first");

    /// <summary>NOT_FOUND for a region the calling session has not opened.</summary>
    public static RefusedException NotOpen(string name, string what) =>
        new(Refusal.NotFound, $"this session does not have region '{name}' open; nothing to {what}");

    /// <summary>PERMISSION_DENIED.</summary>
    public static RefusedException Denied(string message) => new(Refusal.PermissionDenied, message);

    /// <summary>RESOURCE_EXHAUSTED.</summary>
    public static RefusedException Exhausted(string message) => new(Refusal.ResourceExhausted, message);

    /// <summary>FAILED_PRECONDITION.</summary>
    public static RefusedException Precondition(string message) => new(Refusal.FailedPrecondition, message);

    /// <summary>UNAVAILABLE.</summary>
    public static RefusedException Unavailable(string message) => new(Refusal.Unavailable, message);

    /// <summary>DEADLINE_EXCEEDED.</summary>
    public static RefusedException DeadlineExceeded(string message) => new(Refusal.DeadlineExceeded, message);
}
