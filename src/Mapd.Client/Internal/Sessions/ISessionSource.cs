namespace Mapd.Client.Internal.Sessions;

/// <summary>Where calls get the session to run on.</summary>
internal interface ISessionSource
{
    /// <summary>The session in use now (it may have just been lost).</summary>
    SessionState Current { get; }

    /// <summary>The current session, or its replacement if it is already lost.</summary>
    Task<SessionState> CurrentAsync(CancellationToken cancellationToken);

    /// <summary>The session that replaces <paramref name="lost"/> once the daemon is back.</summary>
    Task<SessionState> NextAsync(SessionState lost, CancellationToken cancellationToken);
}
