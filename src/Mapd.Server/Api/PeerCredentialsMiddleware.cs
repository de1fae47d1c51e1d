using Mapd.Server.Peers;
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
                connection.Features.Set(new CallerFeature(CallerIdentity.Of(socket.SafeHandle)));
            }

            return next(connection);
        });
}
