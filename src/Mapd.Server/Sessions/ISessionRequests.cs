namespace Mapd.Server.Sessions;

/// <summary>
/// Serves the requests a client asks on its session socket (OPEN), beside the acknowledgements
/// the listener reads itself. The listener awaits each one before it reads the next message of
/// that session, so one session's requests are answered one at a time, in order.
/// </summary>
public interface ISessionRequests
{
    /// <summary>
    /// Serves <paramref name="message"/> from <paramref name="session"/> and answers it on the
    /// session's socket. False when it is no request this daemon knows: the listener ends the
    /// session for breaking the protocol. <paramref name="message"/> is the reader's buffer, valid
    /// until the call first yields: read it before anything is awaited.
    /// </summary>
    /// <exception cref="IOException">The answer could not be sent: the client does not read its socket, and the session ends.</exception>
    ValueTask<bool> ServeAsync(Session session, ReadOnlyMemory<byte> message, CancellationToken cancellationToken);
}
