namespace Mapd.Client.Internal.Sessions;

/// <summary>Opens new sessions with the daemon (connect and HELLO).</summary>
internal interface ISessionDialer
{
    /// <summary>Where sessions are opened, for messages.</summary>
    string Path { get; }

    /// <summary>Connects and says HELLO.</summary>
    /// <exception cref="MapdException">The daemon is not reachable or did not answer as mapd.</exception>
    Task<ISession> DialAsync(CancellationToken cancellationToken);
}
