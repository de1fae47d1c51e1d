using System.Net;
using System.Net.Sockets;
using Mapd.Server.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Hosting;

/// <summary>
/// Kestrel's transport for <c>mapd.sock</c> (bound by path or inherited from systemd): Kestrel's
/// own socket connections, accepted by <see cref="UnixSocketListener"/>, which holds at most the
/// connections the descriptor budget plans and backs off when the daemon is out of descriptors
/// instead of spinning. Other endpoints (the loopback metrics listener) stay with Kestrel's
/// socket transport.
/// </summary>
public sealed class UnixSocketTransport(DescriptorBudget budget, ILoggerFactory loggers) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    // Clients that connect in a burst wait in the kernel's queue rather than being refused.
    private const int Backlog = 512;

    /// <inheritdoc />
    public bool CanBind(EndPoint endpoint) => endpoint is UnixDomainSocketEndPoint or FileHandleEndPoint;

    /// <inheritdoc />
    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        Socket socket;
        switch (endpoint)
        {
            case FileHandleEndPoint inherited:
                socket = new Socket(new SafeSocketHandle((nint)inherited.FileHandle, ownsHandle: true));
                break;
            case UnixDomainSocketEndPoint path:
                socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    socket.Bind(path);
                    socket.Listen(Backlog);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
                {
                    socket.Dispose();
                    throw new AddressInUseException(e.Message, e);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }

                break;
            default:
                throw new NotSupportedException($"{nameof(UnixSocketTransport)} binds Unix sockets only, not {endpoint}");
        }

        var factory = new SocketConnectionContextFactory(new SocketConnectionFactoryOptions(), loggers.CreateLogger<SocketConnectionContextFactory>());
        var open = budget.MaxConnections + DescriptorBudget.RefusalSlots;
        return ValueTask.FromResult<IConnectionListener>(new UnixSocketListener(socket, endpoint, factory, open, TimeProvider.System, loggers.CreateLogger<UnixSocketListener>()));
    }
}
