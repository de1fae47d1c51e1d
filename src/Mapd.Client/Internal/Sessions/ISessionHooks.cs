namespace Mapd.Client.Internal.Sessions;

/// <summary>What the client does with each session the supervisor opens.</summary>
internal interface ISessionHooks
{
    /// <summary>
    /// Prepares a new session before calls use it (re-registers what this process maps). A
    /// failure discards the session and the supervisor tries again after a backoff.
    /// </summary>
    Task AttachAsync(SessionState session, CancellationToken cancellationToken);

    /// <summary>Runs while the session lives (the watch of its regions); cancelled when it is lost.</summary>
    Task ServeAsync(SessionState session, CancellationToken cancellationToken);
}
