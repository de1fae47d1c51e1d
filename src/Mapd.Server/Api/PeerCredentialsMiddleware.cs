using Mapd.Native;
using Mapd.Server.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Mapd.Server.Api;

/// <summary>
/// Reads SO_PEERCRED once per accepted gRPC connection and attaches it as a
/// <see cref="CallerFeature"/>, so every call on that connection knows its process.
/// </summary>
public static class PeerCredentialsMiddleware
{
    /// <summary>Adds the middleware to a Kestrel listener.</summary>
    public static IConnectionBuilder UsePeerCredentials(this IConnectionBuilder builder) =>
        builder.Use(next => connection =>
        {
            if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
            {
                var peer = UnixSockets.GetPeerCredentials(socket.SafeHandle);
                var groups = UnixSockets.GetPeerGroups(socket.SafeHandle);
                connection.Features.Set(new CallerFeature(new CallerIdentity(peer.Pid, peer.Uid, peer.Gid, groups)));
            }

            return next(connection);
        });
}
