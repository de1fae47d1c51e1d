namespace Mapd.Server.Sessions;

/// <summary>What a session may do on its socket.</summary>
/// <param name="MaxUnreadFds">Descriptors that may wait unread in the client's socket (<c>Mapd:Limits:MaxUnreadFds</c>).</param>
/// <param name="QueuedMessageCost">What one unread message costs in the socket's SIOCOUTQ on this kernel.</param>
/// <param name="HelloTimeout">How long a new connection may take to send HELLO (<c>Mapd:Limits:HelloTimeout</c>).</param>
public sealed record SessionLimits(int MaxUnreadFds, int QueuedMessageCost, TimeSpan HelloTimeout);
