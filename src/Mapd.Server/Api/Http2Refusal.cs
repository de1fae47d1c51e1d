using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using Grpc.Core;

namespace Mapd.Server.Api;

/// <summary>
/// Just enough HTTP/2 to answer every call on a connection the daemon will not serve with a gRPC
/// status: the server's SETTINGS, an ACK of the client's, then for each request a trailers-only
/// response (<c>:status 200</c>, <c>grpc-status</c>, <c>grpc-message</c>) to the first request,
/// RST_STREAM NO_ERROR so the client stops sending its body, and a GOAWAY that tells it no other
/// stream was processed (it retries those on a new connection, where they meet the same answer). The client's header blocks are never decoded
/// (HPACK keeps no state here, since the connection ends after the answer), and the response uses
/// only literals, so no compression state is shared either.
/// </summary>
internal static class Http2Refusal
{
    private const int FrameHeaderLength = 9;
    private const int MaxFrameLength = 16_384;
    private const byte Headers = 0x1;
    private const byte Settings = 0x4;
    private const byte ResetStream = 0x3;
    private const byte GoAway = 0x7;
    private const byte Continuation = 0x9;
    private const byte Ack = 0x1;
    private const byte EndStream = 0x1;
    private const byte EndHeaders = 0x4;

    private static ReadOnlySpan<byte> ClientPreface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>
    /// Answers the requests that arrive on <paramref name="transport"/> before
    /// <paramref name="cancellationToken"/> fires with <paramref name="code"/> and
    /// <paramref name="message"/>. Returns true once at least one call was answered; false when
    /// the client sent no request in time, closed, or did not speak HTTP/2.
    /// </summary>
    public static async Task<bool> AnswerAsync(IDuplexPipe transport, StatusCode code, string message, CancellationToken cancellationToken)
    {
        var input = transport.Input;
        var output = transport.Output;
        WriteFrame(output, Settings, 0, 0, []);
        await output.FlushAsync(cancellationToken);

        var prefaceSeen = false;
        var blockStream = 0u;
        var answered = new List<uint>();
        while (true)
        {
            var read = await input.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            if (!prefaceSeen)
            {
                if (buffer.Length < ClientPreface.Length)
                {
                    if (read.IsCompleted)
                    {
                        return false;
                    }

                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                if (!buffer.Slice(0, ClientPreface.Length).ToArray().AsSpan().SequenceEqual(ClientPreface))
                {
                    return false;
                }

                buffer = buffer.Slice(ClientPreface.Length);
                prefaceSeen = true;
            }

            while (TryReadFrame(ref buffer, out var type, out var flags, out var stream, out var invalid))
            {
                if (invalid)
                {
                    return false;
                }

                if (type == Settings && (flags & Ack) == 0)
                {
                    WriteFrame(output, Settings, Ack, 0, []);
                }
                else if (type is Headers or Continuation)
                {
                    blockStream = type == Headers ? stream : blockStream;
                    if ((flags & EndHeaders) != 0 && answered.Count == 0)
                    {
                        answered.Add(blockStream);
                        WriteFrame(output, Headers, EndStream | EndHeaders, blockStream, TrailersOnly(code, message));

                        // The answer is complete: the client may stop sending the request (RFC 9113, 8.1).
                        WriteResetStream(output, blockStream);
                    }
                }
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (answered.Count > 0)
            {
                WriteGoAway(output, answered[0]);
                await output.FlushAsync(cancellationToken);
                await DrainAsync(input, cancellationToken);
                return true;
            }

            await output.FlushAsync(cancellationToken);
            if (read.IsCompleted)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Reads and drops what the client still sends until it closes, as it does once GOAWAY left
    /// it no stream (or until the deadline): closing first would fail a request whose body was
    /// still on its way, before the client read the answer.
    /// </summary>
    private static async Task DrainAsync(PipeReader input, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var read = await input.ReadAsync(cancellationToken);
                input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client kept the connection past the deadline: it is closed all the same.
        }
    }

    /// <summary>The HPACK block of a trailers-only gRPC response: literals without indexing only.</summary>
    internal static byte[] TrailersOnly(StatusCode code, string message)
    {
        var block = new ArrayBufferWriter<byte>();

        // ":status: 200" is entry 8 of the static table.
        WriteByte(block, 0x88);

        // "content-type" is static entry 31; literal without indexing, indexed name (4-bit prefix).
        WriteInteger(block, 0x00, 4, 31);
        WriteString(block, "application/grpc"u8);
        WriteLiteral(block, "grpc-status"u8, Encoding.ASCII.GetBytes(((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        WriteLiteral(block, "grpc-message"u8, PercentEncode(message));
        return block.WrittenSpan.ToArray();
    }

    /// <summary>gRPC's percent-encoding of a message: UTF-8, with '%' and bytes outside printable ASCII escaped.</summary>
    internal static byte[] PercentEncode(string message)
    {
        var encoded = new List<byte>();
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                encoded.Add(b);
            }
            else
            {
                encoded.AddRange(Encoding.ASCII.GetBytes($"%{b:X2}"));
            }
        }

        return [.. encoded];
    }

    private static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out byte type, out byte flags, out uint stream, out bool invalid)
    {
        (type, flags, stream, invalid) = (0, 0, 0, false);
        if (buffer.Length < FrameHeaderLength)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[FrameHeaderLength];
        buffer.Slice(0, FrameHeaderLength).CopyTo(header);
        var length = (header[0] << 16) | (header[1] << 8) | header[2];
        type = header[3];
        flags = header[4];
        stream = BinaryPrimitives.ReadUInt32BigEndian(header[5..]) & 0x7FFF_FFFF;
        if (length > MaxFrameLength)
        {
            // Larger than the SETTINGS_MAX_FRAME_SIZE this side announced (the default).
            invalid = true;
            return true;
        }

        if (buffer.Length < FrameHeaderLength + length)
        {
            return false;
        }

        buffer = buffer.Slice(FrameHeaderLength + length);
        return true;
    }

    private static void WriteFrame(PipeWriter output, byte type, byte flags, uint stream, ReadOnlySpan<byte> payload)
    {
        var frame = output.GetSpan(FrameHeaderLength + payload.Length);
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame[5..], stream);
        payload.CopyTo(frame[FrameHeaderLength..]);
        output.Advance(FrameHeaderLength + payload.Length);
    }

    private static void WriteGoAway(PipeWriter output, uint lastStream)
    {
        // Last stream processed, then NO_ERROR: every stream above it may be retried elsewhere.
        Span<byte> payload = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(payload, lastStream);
        BinaryPrimitives.WriteUInt32BigEndian(payload[4..], 0);
        WriteFrame(output, GoAway, 0, 0, payload);
    }

    private static void WriteResetStream(PipeWriter output, uint stream)
    {
        Span<byte> noError = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(noError, 0);
        WriteFrame(output, ResetStream, 0, stream, noError);
    }

    private static void WriteLiteral(ArrayBufferWriter<byte> block, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        // Literal header field without indexing, new name.
        WriteByte(block, 0x00);
        WriteString(block, name);
        WriteString(block, value);
    }

    private static void WriteString(ArrayBufferWriter<byte> block, ReadOnlySpan<byte> value)
    {
        // Not Huffman-coded: the H bit stays 0.
        WriteInteger(block, 0x00, 7, value.Length);
        block.Write(value);
    }

    private static void WriteByte(ArrayBufferWriter<byte> block, int value)
    {
        block.GetSpan(1)[0] = (byte)value;
        block.Advance(1);
    }

    /// <summary>An HPACK integer (RFC 7541, 5.1) with an <paramref name="prefixBits"/>-bit prefix after <paramref name="pattern"/>.</summary>
    private static void WriteInteger(ArrayBufferWriter<byte> block, byte pattern, int prefixBits, int value)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            WriteByte(block, (byte)(pattern | value));
            return;
        }

        WriteByte(block, (byte)(pattern | max));
        value -= max;
        while (value >= 128)
        {
            WriteByte(block, (byte)((value % 128) + 128));
            value /= 128;
        }

        WriteByte(block, (byte)value);
    }
}
