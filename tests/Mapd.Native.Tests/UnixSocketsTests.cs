using System.Globalization;
using System.Net.Sockets;

namespace Mapd.Native.Tests;

public sealed class UnixSocketsTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();
    private readonly SeqPacketListener _listener;

    public UnixSocketsTests()
    {
        _listener = new SeqPacketListener(_scratch.Join("s.sock"));
    }

    public void Dispose()
    {
        _listener.Dispose();
        _scratch.Dispose();
    }

    [Fact]
    public void A_descriptor_sent_with_TrySendWithDescriptor_arrives_and_refers_to_the_same_file()
    {
        using var directory = _scratch.Open();
        using var file = directory.CreateFile("region", 0b110_000_000);
        Files.Truncate(file, 4096, "region");
        using var client = UnixSockets.ConnectSeqPacket(_listener.Path);
        using var server = _listener.Accept();

        var sent = UnixSockets.TrySendWithDescriptor(server.SafeHandle, "MAPF-payload"u8, file, "test");
        var buffer = new byte[64];
        var length = UnixSockets.Receive(client, buffer, out var received, "test");

        Assert.True(sent);
        Assert.Equal("MAPF-payload"u8.ToArray(), buffer[..length]);
        Assert.NotNull(received);
        using (received)
        {
            Assert.NotEqual(file.Value, received.Value);
            Assert.Equal(Files.Stat(file, "sent").Inode, Files.Stat(received, "received").Inode);
            Assert.Equal(4096, Files.Stat(received, "received").Size);
        }
    }

    [Fact]
    public void A_received_descriptor_is_close_on_exec()
    {
        using var directory = _scratch.Open();
        using var file = directory.CreateFile("region", 0b110_000_000);

        using (var received = PassThroughASocket(file))
        {
            Assert.NotNull(received);
            Assert.True(IsCloseOnExec(received.Value), "a descriptor received without MSG_CMSG_CLOEXEC would leak into child processes");
        }
    }

    [Fact]
    public void Writes_through_the_received_descriptor_are_seen_through_the_sent_one()
    {
        using var directory = _scratch.Open();
        using var file = directory.CreateFile("region", 0b110_000_000);

        using (var received = PassThroughASocket(file))
        {
            Files.WriteAll(received!, "through the socket"u8, "received");
        }

        Assert.Equal("through the socket"u8.ToArray(), Files.ReadAll(file, "sent"));
    }

    [Fact]
    public void QueuedBytes_counts_what_the_peer_has_not_read_one_message_at_a_time()
    {
        using var directory = _scratch.Open();
        using var file = directory.CreateFile("region", 0b110_000_000);
        using var client = UnixSockets.ConnectSeqPacket(_listener.Path);
        using var server = _listener.Accept();
        var cost = UnixSockets.MeasureQueuedMessageCost(12);

        var empty = UnixSockets.QueuedBytes(server.SafeHandle);
        UnixSockets.TrySendWithDescriptor(server.SafeHandle, "MAPF-payload"u8, file, "test");
        UnixSockets.TrySendWithDescriptor(server.SafeHandle, "MAPF-payload"u8, file, "test");
        var two = UnixSockets.QueuedBytes(server.SafeHandle);
        UnixSockets.Receive(client, new byte[64], out var received, "test");
        received?.Dispose();
        var one = UnixSockets.QueuedBytes(server.SafeHandle);

        Assert.Equal(0, empty);
        Assert.True(cost > 12, $"a queued message costs {cost} bytes, more than its payload");
        Assert.Equal(2 * cost, two);
        Assert.Equal(cost, one);
    }

    /// <summary>Sends <paramref name="file"/> over a fresh connection to the listener and returns what arrived.</summary>
    private FileDescriptor? PassThroughASocket(FileDescriptor file)
    {
        using var client = UnixSockets.ConnectSeqPacket(_listener.Path);
        using var server = _listener.Accept();
        UnixSockets.TrySendWithDescriptor(server.SafeHandle, "x"u8, file, "test");
        UnixSockets.Receive(client, new byte[16], out var received, "test");
        return received;
    }

    [Fact]
    public void A_message_without_a_descriptor_arrives_with_none()
    {
        using var client = UnixSockets.ConnectSeqPacket(_listener.Path);
        using var server = _listener.Accept();

        UnixSockets.Send(client, "HELLO"u8, "test");
        var buffer = new byte[16];
        var length = UnixSockets.Receive(server.SafeHandle, buffer, out var received, "test");

        Assert.Equal("HELLO"u8.ToArray(), buffer[..length]);
        Assert.Null(received);
    }

    [Fact]
    public void Messages_keep_their_boundaries()
    {
        using var client = UnixSockets.ConnectSeqPacket(_listener.Path);
        using var server = _listener.Accept();

        UnixSockets.Send(client, "one"u8, "test");
        UnixSockets.Send(client, "three"u8, "test");
        var buffer = new byte[16];
        var first = UnixSockets.Receive(server.SafeHandle, buffer, out _, "test");
        var firstText = buffer[..first];
        var second = UnixSockets.Receive(server.SafeHandle, buffer, out _, "test");

        Assert.Equal("one"u8.ToArray(), firstText);
        Assert.Equal("three"u8.ToArray(), buffer[..second]);
    }

    [Fact]
    public void Receive_of_a_message_longer_than_the_buffer_is_refused_as_a_protocol_error()
    {
        using var client = UnixSockets.ConnectSeqPacket(_listener.Path);
        using var server = _listener.Accept();

        UnixSockets.Send(client, new byte[100], "test");

        var error = Assert.Throws<InvalidDataException>(() => UnixSockets.Receive(server.SafeHandle, new byte[10], out _, "session x"));

        Assert.Contains("session x", error.Message, StringComparison.Ordinal);
        Assert.Contains("10 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrySendWithDescriptor_returns_false_when_the_peer_queue_is_full_and_true_again_once_it_is_read()
    {
        using var directory = _scratch.Open();
        using var file = directory.CreateFile("region", 0b110_000_000);
        using var client = UnixSockets.ConnectSeqPacket(_listener.Path);
        using var server = _listener.Accept();

        var queued = 0;
        while (UnixSockets.TrySendWithDescriptor(server.SafeHandle, "x"u8, file, "test"))
        {
            queued++;
            Assert.True(queued < 1_000_000, "the kernel never reported a full queue");
        }

        UnixSockets.Receive(client, new byte[16], out var first, "test");
        first?.Dispose();
        var sentAfterRead = UnixSockets.TrySendWithDescriptor(server.SafeHandle, "x"u8, file, "test");

        Assert.True(queued > 0);
        Assert.NotNull(first);
        Assert.True(sentAfterRead);
    }

    [Fact]
    public void GetPeerCredentials_on_both_ends_names_this_process()
    {
        using var client = UnixSockets.ConnectSeqPacket(_listener.Path);
        using var server = _listener.Accept();

        var seenByServer = UnixSockets.GetPeerCredentials(server.SafeHandle);
        var seenByClient = UnixSockets.GetPeerCredentials(client);

        var expected = new PeerCredentials(Environment.ProcessId, ProcessIdentity.Uid, ProcessIdentity.Gid);
        Assert.Equal(expected, seenByServer);
        Assert.Equal(expected, seenByClient);
        Assert.Equal($"pid {Environment.ProcessId} uid {ProcessIdentity.Uid} gid {ProcessIdentity.Gid}", seenByServer.ToString());
    }

    [Fact]
    public void GetPeerGroups_matches_this_process_supplementary_groups()
    {
        using var client = UnixSockets.ConnectSeqPacket(_listener.Path);
        using var server = _listener.Accept();

        var groups = UnixSockets.GetPeerGroups(server.SafeHandle);

        Assert.Equal(SupplementaryGroups().Order(), groups.Order());
    }

    [Fact]
    public async Task Shutdown_wakes_a_thread_blocked_in_Receive_with_end_of_stream()
    {
        using var client = UnixSockets.ConnectSeqPacket(_listener.Path);
        using var server = _listener.Accept();
        using var started = new ManualResetEventSlim();

        var receiving = Task.Factory.StartNew(
            () =>
            {
                started.Set();
                return UnixSockets.Receive(client, new byte[16], out _, "test");
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        started.Wait();
        await Task.Delay(50); // Let it reach recvmsg; the result is the same if it has not yet.

        UnixSockets.Shutdown(client);

        // A generous bound only so that a broken Shutdown fails the test instead of hanging it.
        Assert.Equal(0, await receiving.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void Receive_returns_0_when_the_peer_closes()
    {
        using var client = UnixSockets.ConnectSeqPacket(_listener.Path);
        var server = _listener.Accept();

        server.Dispose();

        Assert.Equal(0, UnixSockets.Receive(client, new byte[16], out var received, "test"));
        Assert.Null(received);
    }

    [Fact]
    public void Send_to_a_closed_peer_fails_with_EPIPE_instead_of_killing_the_process()
    {
        using var client = UnixSockets.ConnectSeqPacket(_listener.Path);
        _listener.Accept().Dispose();

        var error = Assert.Throws<SystemCallException>(() => UnixSockets.Send(client, "x"u8, "session y"));

        Assert.Equal(Errnos.EPIPE, error.Errno);
        Assert.Equal("send", error.Call);
        Assert.Equal("session y", error.Target);
    }

    [Fact]
    public void TrySendWithDescriptor_to_a_closed_peer_throws_naming_the_target()
    {
        using var directory = _scratch.Open();
        using var file = directory.CreateFile("region", 0b110_000_000);
        using var client = UnixSockets.ConnectSeqPacket(_listener.Path);
        using var server = _listener.Accept();
        client.Dispose();

        var error = Assert.Throws<SystemCallException>(() => UnixSockets.TrySendWithDescriptor(server.SafeHandle, "x"u8, file, "session z"));

        Assert.Contains(error.Errno, new[] { Errnos.EPIPE, Errnos.ECONNRESET });
        Assert.Equal("session z", error.Target);
    }

    [Fact]
    public void ConnectSeqPacket_to_a_missing_socket_fails_with_ENOENT_naming_the_path()
    {
        var missing = _scratch.Join("missing.sock");

        var error = Assert.Throws<SystemCallException>(() => UnixSockets.ConnectSeqPacket(missing));

        Assert.Equal(Errnos.ENOENT, error.Errno);
        Assert.Equal("connect", error.Call);
        Assert.Equal(missing, error.Target);
    }

    [Fact]
    public void ConnectSeqPacket_to_a_socket_nobody_listens_on_fails_with_ECONNREFUSED()
    {
        // A socket file left by a process that died: bound, then its listener gone. .NET removes
        // the files it bound on Dispose, so move the file away first.
        var stale = _scratch.Join("stale.sock");
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified))
        {
            dead.Bind(new UnixDomainSocketEndPoint(_scratch.Join("bound.sock")));
            File.Move(_scratch.Join("bound.sock"), stale);
        }

        Assert.True(File.Exists(stale));

        var error = Assert.Throws<SystemCallException>(() => UnixSockets.ConnectSeqPacket(stale));

        Assert.Equal(Errnos.ECONNREFUSED, error.Errno);
    }

    [Fact]
    public void ConnectSeqPacket_rejects_a_path_too_long_for_sockaddr_un()
    {
        var path = "/tmp/" + new string('x', 103);

        var error = Assert.Throws<ArgumentException>(() => UnixSockets.ConnectSeqPacket(path));

        Assert.Contains("108", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConnectSeqPacket_accepts_a_path_of_107_bytes()
    {
        // The longest path that still leaves room for the terminating NUL in sun_path.
        var directory = _scratch.Path + "/" + new string('d', 107 - _scratch.Path.Length - 1 - 2 - 1);
        Directory.CreateDirectory(directory);
        var path = directory + "/" + "ab";
        Assert.Equal(107, path.Length);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);

        using var client = UnixSockets.ConnectSeqPacket(path);
        using var server = listener.Accept();

        Assert.Equal(Environment.ProcessId, UnixSockets.GetPeerCredentials(server.SafeHandle).Pid);
    }

    private static bool IsCloseOnExec(int fd)
    {
        // fdinfo's flags are octal open flags; O_CLOEXEC is 02000000.
        var flags = File.ReadLines($"/proc/self/fdinfo/{fd}").First(l => l.StartsWith("flags:", StringComparison.Ordinal));
        var value = Convert.ToInt64(flags["flags:".Length..].Trim(), 8);
        return (value & 0x80000) != 0;
    }

    private static IEnumerable<uint> SupplementaryGroups()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Groups:", StringComparison.Ordinal));
        return line["Groups:".Length..]
            .Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Select(g => uint.Parse(g, CultureInfo.InvariantCulture));
    }
}
