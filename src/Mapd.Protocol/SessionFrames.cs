using System.Buffers.Binary;

namespace Mapd.Protocol;

/// <summary>
/// The session socket's messages (all integers little-endian):
/// HELLO <c>MAPD u16</c>, WELCOME <c>MAPD u16 id[16]</c>, FD <c>MAPF u64</c> + one fd,
/// TAKEN <c>MAPT u64...</c> (client to daemon, optional: those fds arrived; one to
/// <see cref="MaxTakenIds"/> ids. The daemon counts unread fds in the kernel's queue, so TAKEN
/// only frees room sooner; the client library sends none),
/// CLOSE <c>MAPC u64 name</c> (client to daemon: this session no longer maps the region
/// <c>name</c>, whose newest descriptor it received had that handoff id; the daemon ignores a
/// CLOSE older than the session's newest open of the name, which may have overtaken it),
/// REFUSED <c>MAPR u32 message</c> (daemon to client, instead of WELCOME: no session, with the
/// gRPC status code and the UTF-8 reason, e.g. RESOURCE_EXHAUSTED when the uid holds its quota
/// of sessions; the daemon then closes the connection).
/// </summary>
public static class SessionFrames
{
    /// <summary>The protocol version this build speaks.</summary>
    public const ushort Version = 1;

    /// <summary>Length of HELLO.</summary>
    public const int HelloLength = 6;

    /// <summary>Length of WELCOME.</summary>
    public const int WelcomeLength = 22;

    /// <summary>Length of FD and TAKEN.</summary>
    public const int HandoffLength = 12;

    /// <summary>The most handoff ids one TAKEN carries.</summary>
    public const int MaxTakenIds = 64;

    /// <summary>The largest message either side sends.</summary>
    public const int MaxLength = 4 + (8 * MaxTakenIds);

    /// <summary>The longest CLOSE: its handoff id and the longest region name.</summary>
    public const int MaxCloseLength = 12 + RegionName.MaxLength;

    private static ReadOnlySpan<byte> HelloMagic => "MAPD"u8;

    private static ReadOnlySpan<byte> FdMagic => "MAPF"u8;

    private static ReadOnlySpan<byte> TakenMagic => "MAPT"u8;

    private static ReadOnlySpan<byte> CloseMagic => "MAPC"u8;

    private static ReadOnlySpan<byte> RefusedMagic => "MAPR"u8;

    /// <summary>Writes HELLO (<see cref="HelloLength"/> bytes) into <paramref name="destination"/>.</summary>
    public static void WriteHello(Span<byte> destination)
    {
        HelloMagic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Version);
    }

    /// <summary>Reads HELLO; false when <paramref name="message"/> is not one.</summary>
    public static bool TryReadHello(ReadOnlySpan<byte> message, out ushort version)
    {
        version = 0;
        if (message.Length != HelloLength || !message[..4].SequenceEqual(HelloMagic))
        {
            return false;
        }

        version = BinaryPrimitives.ReadUInt16LittleEndian(message[4..]);
        return true;
    }

    /// <summary>Writes WELCOME (<see cref="WelcomeLength"/> bytes) for the 16-byte <paramref name="sessionId"/>.</summary>
    public static void WriteWelcome(Span<byte> destination, ReadOnlySpan<byte> sessionId)
    {
        HelloMagic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Version);
        sessionId.CopyTo(destination[6..]);
    }

    /// <summary>Reads WELCOME; false when <paramref name="message"/> is not one.</summary>
    public static bool TryReadWelcome(ReadOnlySpan<byte> message, out ushort version, out ReadOnlySpan<byte> sessionId)
    {
        version = 0;
        sessionId = default;
        if (message.Length != WelcomeLength || !message[..4].SequenceEqual(HelloMagic))
        {
            return false;
        }

        version = BinaryPrimitives.ReadUInt16LittleEndian(message[4..]);
        sessionId = message[6..22];
        return true;
    }

    /// <summary>Writes the payload of an FD message (<see cref="HandoffLength"/> bytes); the descriptor travels beside it in SCM_RIGHTS.</summary>
    public static void WriteFd(Span<byte> destination, ulong handoffId) => WriteHandoff(destination, FdMagic, handoffId);

    /// <summary>Reads the payload of an FD message; false when <paramref name="message"/> is not one.</summary>
    public static bool TryReadFd(ReadOnlySpan<byte> message, out ulong handoffId) => TryReadHandoff(message, FdMagic, out handoffId);

    /// <summary>Writes TAKEN for <paramref name="handoffIds"/> and returns its length.</summary>
    public static int WriteTaken(Span<byte> destination, ReadOnlySpan<ulong> handoffIds)
    {
        TakenMagic.CopyTo(destination);
        for (var i = 0; i < handoffIds.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[(4 + (8 * i))..], handoffIds[i]);
        }

        return 4 + (8 * handoffIds.Length);
    }

    /// <summary>The handoff ids of a TAKEN message, or false when it is not one.</summary>
    public static bool TryReadTaken(ReadOnlySpan<byte> message, List<ulong> handoffIds)
    {
        handoffIds.Clear();
        var count = (message.Length - 4) / 8;
        if (message.Length < HandoffLength || (message.Length - 4) % 8 != 0 || count > MaxTakenIds || !message[..4].SequenceEqual(TakenMagic))
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            handoffIds.Add(BinaryPrimitives.ReadUInt64LittleEndian(message[(4 + (8 * i))..]));
        }

        return true;
    }

    /// <summary>Writes CLOSE of region <paramref name="name"/> into <paramref name="destination"/> and returns its length.</summary>
    /// <exception cref="ArgumentException">The name is not a valid region name.</exception>
    public static int WriteClose(Span<byte> destination, ulong handoffId, string name)
    {
        if (RegionName.Validate(name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(name));
        }

        CloseMagic.CopyTo(destination);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[4..], handoffId);
        return 12 + System.Text.Encoding.ASCII.GetBytes(name, destination[12..]);
    }

    /// <summary>Reads CLOSE; false when <paramref name="message"/> is not one (the name is checked by whoever acts on it).</summary>
    public static bool TryReadClose(ReadOnlySpan<byte> message, out ulong handoffId, out string name)
    {
        handoffId = 0;
        name = string.Empty;
        if (message.Length <= 12 || message.Length > MaxCloseLength || !message[..4].SequenceEqual(CloseMagic))
        {
            return false;
        }

        handoffId = BinaryPrimitives.ReadUInt64LittleEndian(message[4..]);
        name = System.Text.Encoding.Latin1.GetString(message[12..]);
        return true;
    }

    /// <summary>
    /// Writes REFUSED with gRPC status <paramref name="code"/> and <paramref name="reason"/>
    /// (cut to fit <see cref="MaxLength"/>) into <paramref name="destination"/>, which must hold
    /// <see cref="MaxLength"/> bytes, and returns its length.
    /// </summary>
    public static int WriteRefused(Span<byte> destination, uint code, string reason)
    {
        RefusedMagic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], code);
        var text = destination[8..MaxLength];
        var encoder = System.Text.Encoding.UTF8.GetEncoder();
        encoder.Convert(reason, text, flush: true, out _, out var written, out _);
        return 8 + written;
    }

    /// <summary>Reads REFUSED; false when <paramref name="message"/> is not one.</summary>
    public static bool TryReadRefused(ReadOnlySpan<byte> message, out uint code, out string reason)
    {
        code = 0;
        reason = string.Empty;
        if (message.Length < 8 || message.Length > MaxLength || !message[..4].SequenceEqual(RefusedMagic))
        {
            return false;
        }

        code = BinaryPrimitives.ReadUInt32LittleEndian(message[4..]);
        reason = System.Text.Encoding.UTF8.GetString(message[8..]);
        return true;
    }

    private static void WriteHandoff(Span<byte> destination, ReadOnlySpan<byte> magic, ulong handoffId)
    {
        magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[4..], handoffId);
    }

    private static bool TryReadHandoff(ReadOnlySpan<byte> message, ReadOnlySpan<byte> magic, out ulong handoffId)
    {
        handoffId = 0;
        if (message.Length != HandoffLength || !message[..4].SequenceEqual(magic))
        {
            return false;
        }

        handoffId = BinaryPrimitives.ReadUInt64LittleEndian(message[4..]);
        return true;
    }
}
