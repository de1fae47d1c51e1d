using System.Net.Sockets;

namespace Mapd.Testing;

/// <summary>
/// A Unix SEQPACKET socket listening at <see cref="Path"/>, as <c>mapd-fd.sock</c> does: tests
/// connect to it and accept the other end, to have both ends of a real session connection.
/// </summary>
public sealed class SeqPacketListener : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);

    /// <summary>Binds to <paramref name="path"/> and listens.</summary>
    public SeqPacketListener(string path)
    {
        Path = path;
        try
        {
            _socket.Bind(new UnixDomainSocketEndPoint(path));
            _socket.Listen(16);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    /// <summary>Where it listens.</summary>
    public string Path { get; }

    /// <summary>Accepts the next connection: the listening end of it.</summary>
    public Socket Accept() => _socket.Accept();

    /// <inheritdoc />
    public void Dispose() => _socket.Dispose();
}
