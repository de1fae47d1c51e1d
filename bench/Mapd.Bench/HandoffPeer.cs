using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using Mapd.Native;

namespace Mapd.Bench;

/// <summary>
/// The sending side of the bare fd-handoff baseline, run as its own process (the daemon is
/// one too): it listens on a <c>SOCK_SEQPACKET</c> socket and answers each one-byte request
/// with a 12-byte message carrying the same tmpfs fd in SCM_RIGHTS, the same framing as the
/// daemon's FD message. Its payload is the Stopwatch time just before <c>sendmsg</c> (CLOCK_MONOTONIC,
/// shared by all processes), so the receiver can also time the one-way leg.
/// </summary>
internal static class HandoffPeer
{
    public const string Command = "handoff-peer";
    public const string ReadyLine = "ready";
    public const int MessageLength = 12;

    /// <summary>How long the peer waits for the bench to connect before giving up, so it never lingers.</summary>
    private static readonly TimeSpan AcceptTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Arguments: <c>--socket PATH --file PATH</c>.</summary>
    public static int Run(ReadOnlySpan<string> args)
    {
        if (args.Length != 4 || args[0] != "--socket" || args[2] != "--file")
        {
            throw new ArgumentException($"{Command} takes --socket PATH --file PATH");
        }

        var socketPath = args[1];
        using var file = File.OpenHandle(args[3], FileMode.Open, FileAccess.Read);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);
        Console.WriteLine(ReadyLine);
        Console.Out.Flush();

        if (!listener.Poll(AcceptTimeout, SelectMode.SelectRead))
        {
            Console.Error.WriteLine($"{Command}: nobody connected to {socketPath} within {AcceptTimeout.TotalSeconds} s");
            return 1;
        }

        using var connection = listener.Accept();
        File.Delete(socketPath);
        var request = new byte[16];
        var message = new byte[MessageLength];
        "MAPF"u8.CopyTo(message);
        while (connection.Receive(request) > 0)
        {
            BinaryPrimitives.WriteInt64LittleEndian(message.AsSpan(4), Stopwatch.GetTimestamp());
            if (!UnixSockets.TrySendWithDescriptor(connection.SafeHandle, message, file, socketPath))
            {
                // One request, one answer: the queue can only be full if the bench broke protocol.
                Console.Error.WriteLine($"{Command}: {socketPath} is full");
                return 1;
            }
        }

        return 0;
    }
}
