using System.Buffers;
using System.Buffers.Binary;
using Grpc.Core;

namespace Mapd.Server.Api.Wire;

/// <summary>
/// Follows one request body as it arrives and holds it to gRPC's framing: length-prefixed
/// messages (a compressed-flag byte, a big-endian u32 length, the message), uncompressed, each
/// at most <see cref="MaxMessageBytes"/>, and exactly one of them for a method that takes one
/// request. Each rule broken has its own status and a message that says what to do, so
/// grpc-dotnet never meets a frame it would answer with UNKNOWN or INTERNAL.
/// </summary>
/// <param name="method">The call's method, for messages.</param>
/// <param name="singleMessage">The method takes exactly one request message (unary and server streaming).</param>
internal sealed class RequestFrames(string method, bool singleMessage)
{
    /// <summary>Length of the prefix before each message.</summary>
    public const int HeaderLength = 5;

    /// <summary>
    /// The largest request message. mapd's requests are a name and a few numbers; the largest one
    /// a client has reason to send is a Watch that names every region: 4,096 names (the default
    /// <c>Mapd:Limits:MaxRegions</c>) of 200 characters take 832 KB. gRPC's default is 4 MiB.
    /// </summary>
    public const int MaxMessageBytes = 1 << 20;

    // Stream offsets: where the newest message's payload starts, and where the next prefix starts.
    private long _payload;
    private long _nextHeader;

    /// <summary>Whole messages announced so far.</summary>
    public int Messages { get; private set; }

    /// <summary>
    /// Checks every prefix that has arrived in <paramref name="unread"/>, the bytes from stream
    /// offset <paramref name="offset"/> on; when <paramref name="completed"/>, also that the body
    /// ended between messages and held what the method takes.
    /// </summary>
    /// <exception cref="RpcException">A rule is broken: the status says which.</exception>
    public void Check(ReadOnlySequence<byte> unread, long offset, bool completed)
    {
        var end = offset + unread.Length;
        Span<byte> header = stackalloc byte[HeaderLength];
        while (_nextHeader >= offset && _nextHeader + HeaderLength <= end && !(singleMessage && Messages == 1))
        {
            unread.Slice(_nextHeader - offset, HeaderLength).CopyTo(header);
            var length = CheckHeader(header);
            _payload = _nextHeader + HeaderLength;
            _nextHeader = _payload + length;
        }

        if (singleMessage && Messages == 1 && end > _nextHeader)
        {
            throw Refuse(StatusCode.InvalidArgument, $"{method} takes exactly one request message and more bytes followed it; send one message, then end the request");
        }

        if (completed)
        {
            CheckEnd(end);
        }
    }

    private int CheckHeader(ReadOnlySpan<byte> header)
    {
        switch (header[0])
        {
            case 0:
                break;
            case 1:
                throw Refuse(StatusCode.Unimplemented, "mapd does not accept compressed requests (they are a few bytes each); send them uncompressed, without grpc-encoding");
            default:
                throw Refuse(StatusCode.InvalidArgument, $"the request body is not gRPC messages: each starts with a compressed flag of 0 or 1, and this one starts with {header[0]}; call mapd through a gRPC client");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > MaxMessageBytes)
        {
            throw Refuse(StatusCode.ResourceExhausted, $"a request message of {length} bytes is above mapd's limit of {MaxMessageBytes} bytes; its requests are small, so check what is sent (a Watch of every region needs no names)");
        }

        Messages++;
        return (int)length;
    }

    private void CheckEnd(long end)
    {
        if (end > _nextHeader)
        {
            throw Refuse(StatusCode.InvalidArgument, $"the request ended inside a message prefix ({end - _nextHeader} of its {HeaderLength} bytes arrived); send whole gRPC messages");
        }

        if (end < _nextHeader)
        {
            throw Refuse(StatusCode.InvalidArgument, $"the request ended inside a message: its prefix announced {_nextHeader - _payload} bytes and {end - _payload} arrived; send whole gRPC messages");
        }

        if (Messages == 0 && singleMessage)
        {
            throw Refuse(StatusCode.InvalidArgument, $"{method} takes one request message and this call ended without one; send the request message");
        }
    }

    private static RpcException Refuse(StatusCode code, string message) => new(new Status(code, message));
}
