using System.Buffers.Binary;
using Google.Protobuf;
using Mapd.Protocol.V1;

namespace Mapd.Protocol;

/// <summary>
/// Opens carried on the session socket itself, beside <see cref="SessionFrames"/> (all integers
/// little-endian). The descriptor travels on that socket anyway, so an open that asks there too
/// costs one message each way instead of a gRPC call plus an FD message:
/// OPEN <c>MAPO u64 request u8 access name</c> (client to daemon: <c>access</c> is
/// <see cref="Access"/>'s number, <c>name</c> ASCII);
/// OPENED <c>MAPG u64 request u64 handoff u8 access region</c> + one fd (daemon to client:
/// <c>region</c> is the protobuf encoding of <see cref="Region"/>, as Open's reply holds it; the
/// handoff id orders a later CLOSE);
/// OPEN_FAILED <c>MAPE u64 request u32 code message</c> (daemon to client: the gRPC status code
/// and the UTF-8 reason Open would have answered with).
/// A daemon serves OPEN when its <c>Ping</c> answers <c>session_open = true</c>; the daemon
/// answers OPENs of one session one at a time, in order.
/// </summary>
public static class SessionOpenFrames
{
    /// <summary>The longest OPEN: its request id, access byte and the longest region name.</summary>
    public const int MaxOpenLength = OpenHeaderLength + RegionName.MaxLength;

    private const int OpenHeaderLength = 13;
    private const int OpenedHeaderLength = 21;
    private const int FailedHeaderLength = 16;

    private static ReadOnlySpan<byte> OpenMagic => "MAPO"u8;

    private static ReadOnlySpan<byte> OpenedMagic => "MAPG"u8;

    private static ReadOnlySpan<byte> FailedMagic => "MAPE"u8;

    /// <summary>Writes OPEN of <paramref name="name"/> into <paramref name="destination"/> and returns its length.</summary>
    /// <exception cref="ArgumentException">The name is not a valid region name, or the access is not read-only or read-write.</exception>
    public static int WriteOpen(Span<byte> destination, ulong requestId, Access access, string name)
    {
        if (RegionName.Validate(name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(name));
        }

        if (access is not (Access.ReadOnly or Access.ReadWrite))
        {
            throw new ArgumentException($"access {access} is not one of ACCESS_READ_ONLY or ACCESS_READ_WRITE", nameof(access));
        }

        OpenMagic.CopyTo(destination);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[4..], requestId);
        destination[12] = (byte)access;
        return OpenHeaderLength + System.Text.Encoding.ASCII.GetBytes(name, destination[OpenHeaderLength..]);
    }

    /// <summary>
    /// Reads OPEN; false when <paramref name="message"/> is not one. The access and the name are
    /// returned as sent, for whoever acts on them to check and refuse with a reason.
    /// </summary>
    public static bool TryReadOpen(ReadOnlySpan<byte> message, out ulong requestId, out Access access, out string name)
    {
        requestId = 0;
        access = Access.Unspecified;
        name = string.Empty;
        if (message.Length <= OpenHeaderLength || message.Length > MaxOpenLength || !message[..4].SequenceEqual(OpenMagic))
        {
            return false;
        }

        requestId = BinaryPrimitives.ReadUInt64LittleEndian(message[4..]);
        access = (Access)message[12];
        name = System.Text.Encoding.Latin1.GetString(message[OpenHeaderLength..]);
        return true;
    }

    /// <summary>
    /// Writes OPENED into <paramref name="destination"/>, which must hold
    /// <see cref="SessionFrames.MaxLength"/> bytes, and returns its length; the descriptor
    /// travels beside it in SCM_RIGHTS.
    /// </summary>
    /// <exception cref="ArgumentException">The region's encoding does not fit (no valid region is that large).</exception>
    public static int WriteOpened(Span<byte> destination, ulong requestId, ulong handoffId, Access access, Region region)
    {
        var size = region.CalculateSize();
        if (OpenedHeaderLength + size > Math.Min(destination.Length, SessionFrames.MaxLength))
        {
            throw new ArgumentException($"region '{region.Name}' takes {size} bytes, more than an OPENED message holds", nameof(region));
        }

        OpenedMagic.CopyTo(destination);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[4..], requestId);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[12..], handoffId);
        destination[20] = (byte)access;
        region.WriteTo(destination.Slice(OpenedHeaderLength, size));
        return OpenedHeaderLength + size;
    }

    /// <summary>Reads OPENED; false when <paramref name="message"/> is not one or its region does not parse.</summary>
    public static bool TryReadOpened(ReadOnlySpan<byte> message, out ulong requestId, out ulong handoffId, out Access access, out Region region)
    {
        requestId = 0;
        handoffId = 0;
        access = Access.Unspecified;
        region = null!;
        if (message.Length < OpenedHeaderLength || message.Length > SessionFrames.MaxLength || !message[..4].SequenceEqual(OpenedMagic))
        {
            return false;
        }

        try
        {
            region = Region.Parser.ParseFrom(message[OpenedHeaderLength..]);
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }

        requestId = BinaryPrimitives.ReadUInt64LittleEndian(message[4..]);
        handoffId = BinaryPrimitives.ReadUInt64LittleEndian(message[12..]);
        access = (Access)message[20];
        return true;
    }

    /// <summary>
    /// Writes OPEN_FAILED with gRPC status <paramref name="code"/> and <paramref name="reason"/>
    /// (cut to fit <see cref="SessionFrames.MaxLength"/>) into <paramref name="destination"/>,
    /// which must hold that many bytes, and returns its length.
    /// </summary>
    public static int WriteFailed(Span<byte> destination, ulong requestId, uint code, string reason)
    {
        FailedMagic.CopyTo(destination);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[4..], requestId);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], code);
        var encoder = System.Text.Encoding.UTF8.GetEncoder();
        encoder.Convert(reason, destination[FailedHeaderLength..SessionFrames.MaxLength], flush: true, out _, out var written, out _);
        return FailedHeaderLength + written;
    }

    /// <summary>Reads OPEN_FAILED; false when <paramref name="message"/> is not one.</summary>
    public static bool TryReadFailed(ReadOnlySpan<byte> message, out ulong requestId, out uint code, out string reason)
    {
        requestId = 0;
        code = 0;
        reason = string.Empty;
        if (message.Length < FailedHeaderLength || message.Length > SessionFrames.MaxLength || !message[..4].SequenceEqual(FailedMagic))
        {
            return false;
        }

        requestId = BinaryPrimitives.ReadUInt64LittleEndian(message[4..]);
        code = BinaryPrimitives.ReadUInt32LittleEndian(message[12..]);
        reason = System.Text.Encoding.UTF8.GetString(message[FailedHeaderLength..]);
        return true;
    }
}
