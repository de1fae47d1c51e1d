using System.Collections.Concurrent;

namespace Mapd.Server.Sessions;

/// <summary>The live sessions, by id.</summary>
public sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    /// <summary>Number of live sessions.</summary>
    public int Count => _sessions.Count;

    /// <summary>A snapshot of the live sessions.</summary>
    public IReadOnlyCollection<Session> All => [.. _sessions.Values];

    /// <summary>Registers a new session.</summary>
    public void Add(Session session) => _sessions[session.Id] = session;

    /// <summary>Removes a session that ended.</summary>
    public void Remove(Session session) => _sessions.TryRemove(new KeyValuePair<string, Session>(session.Id, session));

    /// <summary>The session with id <paramref name="id"/> (32 lowercase hex digits), if live.</summary>
    public Session? Find(string id) => _sessions.GetValueOrDefault(id);
}
