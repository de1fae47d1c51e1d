using Mapd.Server.Peers;

namespace Mapd.Server.Api;

/// <summary>The kernel-verified identity of the process at the other end of a gRPC connection.</summary>
/// <param name="Caller">Taken from SO_PEERCRED and SO_PEERGROUPS when the connection was accepted.</param>
public sealed record CallerFeature(CallerIdentity Caller);
