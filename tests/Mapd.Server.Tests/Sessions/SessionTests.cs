using Grpc.Core;
using Mapd.Native;
using Mapd.Server.Errors;
using Mapd.Server.Peers;
using Mapd.Server.Sessions;

namespace Mapd.Server.Tests.Sessions;

/// <summary>A session over a real SEQPACKET connection: the test plays the client end.</summary>
public sealed class SessionTests : IDisposable
{
    private static readonly int MessageCost = UnixSockets.MeasureQueuedMessageCost(SessionFrames.HandoffLength);
    private static readonly byte[] Id = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF];
    private readonly ScratchDirectory _scratch = new();
    private readonly SeqPacketListener _listener;
    private readonly FileDescriptor _client;
    private readonly Session _session;
    private readonly DirectoryHandle _directory;
    private readonly FileDescriptor _file;

    public SessionTests()
    {
        _listener = new SeqPacketListener(_scratch.Join("fd.sock"));
        _client = UnixSockets.ConnectSeqPacket(_listener.Path);
        var server = _listener.Accept();
        _session = new Session(server, Id, new CallerIdentity(1234, 1000, 100, [7, 8]), maxUnread: 2, MessageCost, DateTimeOffset.UnixEpoch);
        _directory = DirectoryHandle.Open(_scratch.Path);
        _file = _directory.CreateFile("region", 0b110_000_000);
    }

    public void Dispose()
    {
        _file.Dispose();
        _directory.Dispose();
        _session.Dispose();
        _client.Dispose();
        _listener.Dispose();
        _scratch.Dispose();
    }

    [Fact]
    public void The_session_id_is_32_lowercase_hex_digits_of_its_bytes()
    {
        Assert.Equal("00112233445566778899aabbccddeeff", _session.Id);
        Assert.Equal(Id, _session.IdBytes);
    }

    [Fact]
    public void The_caller_is_the_peer_with_its_groups()
    {
        Assert.Equal(1234, _session.Pid);
        Assert.Equal(1000u, _session.Uid);
        Assert.Equal(100u, _session.Caller.Gid);
        Assert.True(_session.Caller.InGroup(8));
        Assert.Contains("1234/1000", _session.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandOff_sends_an_FD_message_whose_descriptor_is_the_file()
    {
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);

        var handoffId = HandOff();
        var buffer = new byte[SessionFrames.MaxLength];
        var length = UnixSockets.Receive(_client, buffer, out var received, "client");

        using (received)
        {
            Assert.True(SessionFrames.TryReadFd(buffer.AsSpan(0, length), out var sentId));
            Assert.Equal(handoffId, sentId);
            Assert.NotNull(received);
            Assert.Equal(Files.Stat(_file, "file").Inode, Files.Stat(received, "received").Inode);
        }
    }

    [Fact]
    public async Task Handoff_ids_are_unique()
    {
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);

        var first = HandOff();
        var second = HandOff();

        Assert.NotEqual(first, second);
        Assert.Equal(2, _session.UnreadDescriptors);
        DrainClient(2);
    }

    [Fact]
    public async Task Taken_acknowledges_a_handoff_once_and_frees_its_slot()
    {
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        var handoffId = HandOff();
        DrainClient(1);

        var first = _session.Taken(handoffId);
        var again = _session.Taken(handoffId);
        var unknown = _session.Taken(handoffId + 1000);
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);

        Assert.True(first);
        Assert.False(again);
        Assert.False(unknown);
        Assert.Equal(0, _session.UnreadDescriptors);
    }

    [Fact]
    public async Task Taken_for_descriptors_still_in_the_socket_does_not_lift_the_bound()
    {
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        var first = HandOff();
        var second = HandOff();

        // The client acknowledges both without reading either: its word against the kernel's queue.
        _session.Taken(first);
        _session.Taken(second);
        var unread = _session.UnreadDescriptors;
        var refused = await Assert.ThrowsAsync<RefusedException>(() => _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None));
        DrainClient(1);
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        HandOff();

        Assert.Equal(2, unread);
        Assert.Equal(Refusal.ResourceExhausted, refused.Reason);
        Assert.Contains("Mapd:Limits:MaxUnreadFds", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, _session.UnreadDescriptors);
        DrainClient(2);
    }

    [Fact]
    public async Task Concurrent_handoffs_past_a_premature_Taken_stop_at_the_bound_in_the_kernel()
    {
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        var first = HandOff();
        _session.Taken(first);
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);

        // Both reservations passed before either sent: the second send finds two queued.
        HandOff();
        var refused = Assert.Throws<RefusedException>(() => HandOff());

        Assert.Equal(Refusal.ResourceExhausted, refused.Reason);
        DrainClient(2);
    }

    [Fact]
    public async Task More_unread_descriptors_than_the_limit_is_RESOURCE_EXHAUSTED()
    {
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);

        var error = await Assert.ThrowsAsync<RefusedException>(() => _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None));

        Assert.Equal(Refusal.ResourceExhausted, error.Reason);
        Assert.Contains("MaxUnreadFds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_waiting_reservation_gets_the_slot_a_Taken_frees()
    {
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        var handoffId = HandOff();
        var waiting = _session.ReserveDescriptorAsync(TimeSpan.FromMinutes(5), CancellationToken.None);
        var completedEarly = waiting.IsCompleted;

        _session.Taken(handoffId);
        await waiting.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.False(completedEarly);
        DrainClient(1);
    }

    [Fact]
    public async Task A_client_that_reads_without_sending_Taken_gets_its_room_back()
    {
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        HandOff();
        HandOff();
        var refused = await Assert.ThrowsAsync<RefusedException>(() => _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None));

        DrainClient(2);
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(Refusal.ResourceExhausted, refused.Reason);
        Assert.Equal(0, _session.UnreadDescriptors);
    }

    [Fact]
    public async Task A_waiting_reservation_gets_the_slot_once_the_client_reads_without_sending_Taken()
    {
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        HandOff();
        HandOff();
        var waiting = _session.ReserveDescriptorAsync(TimeSpan.FromMinutes(5), CancellationToken.None);
        var completedEarly = waiting.IsCompleted;

        DrainClient(1);
        await waiting.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.False(completedEarly);
        Assert.Equal(1, _session.UnreadDescriptors);
        DrainClient(1);
    }

    [Fact]
    public async Task Many_opens_waiting_on_a_client_that_never_reads_are_refused_at_their_deadline_and_the_session_recovers()
    {
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        HandOff();
        HandOff();

        var waiting = Enumerable.Range(0, 50).Select(_ => _session.ReserveDescriptorAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None)).ToArray();
        var outcomes = await Task.WhenAll(waiting.Select(async w =>
        {
            try
            {
                await w;
                return "granted";
            }
            catch (RefusedException e) when (e.Reason == Refusal.ResourceExhausted)
            {
                return "refused";
            }
        }));
        DrainClient(2);
        await _session.ReserveDescriptorAsync(TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal("refused", o));
    }

    [Fact]
    public async Task CancelReservation_gives_the_slot_back()
    {
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);

        _session.CancelReservation();
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(0, _session.UnreadDescriptors);
    }

    [Fact]
    public async Task HandOff_to_a_client_that_hung_up_is_FAILED_PRECONDITION_and_frees_the_slot()
    {
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        _client.Dispose();

        var error = Assert.Throws<RefusedException>(() => HandOff());
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(Refusal.FailedPrecondition, error.Reason);
        Assert.Contains(_session.Id, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _session.UnreadDescriptors);
    }

    [Fact]
    public async Task HandOff_after_the_session_ended_is_FAILED_PRECONDITION()
    {
        await _session.ReserveDescriptorAsync(TimeSpan.Zero, CancellationToken.None);
        _session.Socket.Dispose();

        var error = Assert.Throws<RefusedException>(() => HandOff());

        Assert.Equal(Refusal.FailedPrecondition, error.Reason);
    }

    private void DrainClient(int messages)
    {
        var buffer = new byte[SessionFrames.MaxLength];
        for (var i = 0; i < messages; i++)
        {
            UnixSockets.Receive(_client, buffer, out var received, "client");
            received?.Dispose();
        }
    }

    private ulong HandOff()
    {
        var handoffId = Session.NextHandoffId();
        _session.HandOff(_file, handoffId);
        return handoffId;
    }
}
