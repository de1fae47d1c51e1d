using System.Buffers.Binary;
using System.Diagnostics;
using Mapd.Native;

namespace Mapd.Bench;

/// <summary>
/// The receiving side of the bare fd-handoff baseline: starts <see cref="HandoffPeer"/> as a
/// second process and, per operation, asks for the fd, receives it with <c>recvmsg</c>, maps
/// it exactly as the client library maps a region (<see cref="MemoryMapping.MapShared"/>),
/// unmaps it and closes it. That is an Open without gRPC and without the daemon's bookkeeping.
/// </summary>
internal sealed class HandoffClient : IDisposable
{
    private readonly Process _peer;
    private readonly FileDescriptor _socket;
    private readonly string _filePath;
    private readonly long _length;
    private readonly byte[] _request = [1];
    private readonly byte[] _buffer = new byte[64];

    private HandoffClient(Process peer, FileDescriptor socket, string filePath, long length)
    {
        _peer = peer;
        _socket = socket;
        _filePath = filePath;
        _length = length;
    }

    /// <summary>Creates a tmpfs file of <paramref name="length"/> bytes, starts the peer and connects to it.</summary>
    public static async Task<HandoffClient> StartAsync(string directory, long length, CancellationToken cancellationToken)
    {
        var filePath = $"/dev/shm/mapd-bench-{Environment.ProcessId}-handoff";
        using (var file = new FileStream(filePath, FileMode.Create, FileAccess.ReadWrite))
        {
            file.SetLength(length);
        }

        var socketPath = Path.Join(directory, "handoff-peer.sock");
        var start = SelfCommand.For(HandoffPeer.Command);
        foreach (var argument in (string[])["--socket", socketPath, "--file", filePath])
        {
            start.ArgumentList.Add(argument);
        }

        var peer = Process.Start(start) ?? throw new InvalidOperationException("could not start the handoff peer");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            var line = await peer.StandardOutput.ReadLineAsync(timeout.Token);
            if (line != HandoffPeer.ReadyLine)
            {
                throw new InvalidOperationException($"the handoff peer said '{line}' instead of '{HandoffPeer.ReadyLine}'");
            }

            return new HandoffClient(peer, UnixSockets.ConnectSeqPacket(socketPath), filePath, length);
        }
        catch
        {
            Stop(peer);
            File.Delete(filePath);
            throw;
        }
    }

    /// <summary>
    /// One handoff: request, receive the fd, mmap, munmap, close. Returns the round trip in
    /// ticks and, in <paramref name="oneWayTicks"/>, the time from the peer's <c>sendmsg</c> to the close.
    /// </summary>
    public long RoundTrip(out long oneWayTicks)
    {
        var start = Stopwatch.GetTimestamp();
        UnixSockets.Send(_socket, _request, "handoff peer");
        var received = UnixSockets.Receive(_socket, _buffer, out var descriptor, "handoff peer");
        if (received != HandoffPeer.MessageLength || descriptor is null)
        {
            descriptor?.Dispose();
            throw new InvalidOperationException($"the handoff peer sent {received} bytes {(descriptor is null ? "without" : "with")} an fd");
        }

        using (descriptor)
        {
            MemoryMapping.MapShared(descriptor, _length, writable: false).Dispose();
        }

        var end = Stopwatch.GetTimestamp();
        oneWayTicks = end - BinaryPrimitives.ReadInt64LittleEndian(_buffer.AsSpan(4));
        return end - start;
    }

    /// <summary>Closes the connection (the peer exits at end of stream) and removes the file.</summary>
    public void Dispose()
    {
        _socket.Dispose();
        Stop(_peer);
        try
        {
            File.Delete(_filePath);
        }
        catch (IOException)
        {
        }
    }

    private static void Stop(Process peer)
    {
        try
        {
            if (!peer.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                peer.Kill();
                peer.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
        catch (InvalidOperationException)
        {
        }
        finally
        {
            peer.Dispose();
        }
    }
}
