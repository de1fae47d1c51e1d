using Mapd.Native;
using Mapd.Server.Peers;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mapd.Server.Api;

/// <summary>
/// Reads SO_PEERCRED (and the process's <see cref="ProcessStamp"/>) once per accepted gRPC
/// connection and attaches it as a <see cref="CallerFeature"/>, so every call on that connection
/// knows its process; then <see cref="ConnectionAdmission"/> applies the uid's quota and the
/// preface deadline.
/// </summary>
public static class PeerCredentialsMiddleware
{
    /// <summary>Adds the middleware to a Kestrel listener.</summary>
    public static IConnectionBuilder UsePeerCredentials(this IConnectionBuilder builder) =>
        builder.Use(next => connection =>
        {
            if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
            {
                try
                {
                    connection.Features.Set(new CallerFeature(CallerIdentity.Of(socket.SafeHandle)));
                }
                catch (SystemCallException)
                {
                    // The peer hung up while its connection waited in the queue.
                    return Task.CompletedTask;
                }
            }

            return next(connection);
        });

    /// <summary>Adds <see cref="ConnectionAdmission"/> (quotas, preface deadline) after <see cref="UsePeerCredentials"/>.</summary>
    public static IConnectionBuilder UseConnectionAdmission(this IConnectionBuilder builder)
    {
        var admission = builder.ApplicationServices.GetRequiredService<ConnectionAdmission>();
        return builder.Use(next => connection => admission.ServeAsync(connection, next));
    }
}
