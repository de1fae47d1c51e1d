namespace Mapd.Client.Internal.Sessions;

/// <summary>The session hooks as two functions.</summary>
internal sealed class SessionHooks(
    Func<SessionState, CancellationToken, Task> attach,
    Func<SessionState, CancellationToken, Task> serve) : ISessionHooks
{
    public Task AttachAsync(SessionState session, CancellationToken cancellationToken) => attach(session, cancellationToken);

    public Task ServeAsync(SessionState session, CancellationToken cancellationToken) => serve(session, cancellationToken);
}
