namespace Mapd.Client.Internal.Sessions;

/// <summary>Finds a session by the id a call's headers named.</summary>
internal interface ISessionLookup
{
    /// <summary>The session named <paramref name="id"/> if it is the current one or the one it replaced; else null.</summary>
    SessionState? Find(string? id);
}
