using Mapd.Client.Internal.Sessions;

namespace Mapd.Client.Internal.Tracking;

/// <summary>
/// What the daemon must be told when the last use of a name ends: the session whose open of it
/// was answered last and the largest handoff id that session answered with. Without a session
/// (an open's answer was lost on its way) only a Close call can be sure to undo it.
/// </summary>
internal sealed record CloseOrder(string Name, SessionState? Session, ulong HandoffId);
