using Mapd.Native;
using Mapd.Protocol.V1;

namespace Mapd.Client.Internal.Sessions;

/// <summary>One session on <c>mapd-fd.sock</c>: its id and the descriptors the daemon hands over on it.</summary>
internal interface ISession : IDisposable
{
    /// <summary>The session id, as sent in <c>mapd-session</c> metadata.</summary>
    string Id { get; }

    /// <summary>Completes when the session ended (the daemon closed it, or it was disposed).</summary>
    Task Closed { get; }

    /// <summary>True once the session ended.</summary>
    bool IsClosed { get; }

    /// <summary>Why the session ended, once it did (null while it lives).</summary>
    Exception? Failure { get; }

    /// <summary>Waits for the descriptor of <paramref name="handoffId"/>; the caller owns it.</summary>
    Task<FileDescriptor> TakeAsync(ulong handoffId, CancellationToken cancellationToken);

    /// <summary>
    /// Asks the daemon to open <paramref name="name"/> with an OPEN message; the task completes
    /// with the answer (the descriptor is the caller's), fails with <see cref="MapdException"/>
    /// when the daemon refused, or with <see cref="IOException"/> when the session ended first.
    /// Null when the socket is full (the daemon is not reading): nothing was asked.
    /// </summary>
    Task<OpenedOnSession>? TryOpen(string name, Access access);

    /// <summary>
    /// Sends CLOSE: this session no longer maps <paramref name="name"/>, unless an open answered
    /// with a handoff id above <paramref name="handoffId"/> overtook it. Returns false only when
    /// <paramref name="wait"/> is false and the socket is full; a session that ended has nothing
    /// left to close, so that counts as sent.
    /// </summary>
    bool TrySendClose(ulong handoffId, string name, bool wait);
}
