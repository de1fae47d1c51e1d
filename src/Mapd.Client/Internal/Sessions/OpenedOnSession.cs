using Mapd.Native;
using Mapd.Protocol.V1;

namespace Mapd.Client.Internal.Sessions;

/// <summary>The daemon's answer to an OPEN: what Open would have answered, and the descriptor that came with it.</summary>
internal sealed record OpenedOnSession(OpenResponse Response, FileDescriptor Descriptor);
