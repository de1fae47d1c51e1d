namespace Mapd.Protocol.Tests;

public sealed class SessionFramesTests
{
    [Fact]
    public void Hello_is_MAPD_then_version_1_little_endian()
    {
        var message = new byte[SessionFrames.HelloLength];

        SessionFrames.WriteHello(message);

        Assert.Equal(new byte[] { (byte)'M', (byte)'A', (byte)'P', (byte)'D', 1, 0 }, message);
    }

    [Fact]
    public void Hello_round_trips()
    {
        var message = new byte[SessionFrames.HelloLength];
        SessionFrames.WriteHello(message);

        Assert.True(SessionFrames.TryReadHello(message, out var version));
        Assert.Equal(SessionFrames.Version, version);
    }

    [Fact]
    public void TryReadHello_reports_another_version_for_the_caller_to_refuse()
    {
        byte[] message = [(byte)'M', (byte)'A', (byte)'P', (byte)'D', 2, 1];

        Assert.True(SessionFrames.TryReadHello(message, out var version));
        Assert.Equal(0x0102, version);
    }

    [Fact]
    public void Welcome_is_MAPD_version_and_the_16_byte_session_id()
    {
        var id = Enumerable.Range(0xA0, 16).Select(i => (byte)i).ToArray();
        var message = new byte[SessionFrames.WelcomeLength];

        SessionFrames.WriteWelcome(message, id);

        Assert.Equal("MAPD"u8.ToArray(), message[..4]);
        Assert.Equal(new byte[] { 1, 0 }, message[4..6]);
        Assert.Equal(id, message[6..]);
        Assert.True(SessionFrames.TryReadWelcome(message, out var version, out var readId));
        Assert.Equal(SessionFrames.Version, version);
        Assert.Equal(id, readId.ToArray());
    }

    [Fact]
    public void Fd_is_MAPF_then_the_handoff_id_little_endian()
    {
        var message = new byte[SessionFrames.HandoffLength];

        SessionFrames.WriteFd(message, 0x0102030405060708);

        Assert.Equal(new byte[] { (byte)'M', (byte)'A', (byte)'P', (byte)'F', 8, 7, 6, 5, 4, 3, 2, 1 }, message);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(0xDEADBEEFUL)]
    [InlineData(ulong.MaxValue)]
    public void Fd_and_Taken_round_trip_every_handoff_id(ulong handoffId)
    {
        var fd = new byte[SessionFrames.HandoffLength];
        var taken = new byte[SessionFrames.HandoffLength];

        SessionFrames.WriteFd(fd, handoffId);
        Assert.Equal(SessionFrames.HandoffLength, SessionFrames.WriteTaken(taken, [handoffId]));

        var fromTaken = new List<ulong>();
        Assert.True(SessionFrames.TryReadFd(fd, out var fromFd));
        Assert.True(SessionFrames.TryReadTaken(taken, fromTaken));
        Assert.Equal(handoffId, fromFd);
        Assert.Equal([handoffId], fromTaken);
        Assert.Equal("MAPT"u8.ToArray(), taken[..4]);
    }

    [Fact]
    public void Taken_carries_a_burst_of_ids_up_to_its_limit()
    {
        var ids = Enumerable.Range(1, SessionFrames.MaxTakenIds).Select(i => (ulong)i * 1000).ToArray();
        var message = new byte[SessionFrames.MaxLength + 8];
        var length = SessionFrames.WriteTaken(message, ids);
        Assert.Equal(SessionFrames.MaxLength, length);

        var read = new List<ulong>();
        Assert.True(SessionFrames.TryReadTaken(message.AsSpan(0, length), read));
        Assert.Equal(ids, read);

        // One id more than the limit, or a partial id, is not a TAKEN.
        Assert.False(SessionFrames.TryReadTaken(message.AsSpan(0, length + 8), read));
        Assert.False(SessionFrames.TryReadTaken(message.AsSpan(0, length - 3), read));
    }

    [Fact]
    public void Each_reader_refuses_the_other_messages_magic()
    {
        var fd = new byte[SessionFrames.HandoffLength];
        var taken = new byte[SessionFrames.HandoffLength];
        SessionFrames.WriteFd(fd, 42);
        SessionFrames.WriteTaken(taken, [42]);

        Assert.False(SessionFrames.TryReadTaken(fd, []));
        Assert.False(SessionFrames.TryReadFd(taken, out var id2));
        Assert.Equal(0UL, id2);
    }

    [Theory]
    [InlineData("MAPX")]
    [InlineData("mapd")]
    [InlineData("PAMD")]
    [InlineData("\0\0\0\0")]
    public void Hello_and_Welcome_with_a_wrong_magic_are_refused(string magic)
    {
        var hello = new byte[SessionFrames.HelloLength];
        var welcome = new byte[SessionFrames.WelcomeLength];
        SessionFrames.WriteHello(hello);
        SessionFrames.WriteWelcome(welcome, new byte[16]);
        System.Text.Encoding.ASCII.GetBytes(magic).CopyTo(hello, 0);
        System.Text.Encoding.ASCII.GetBytes(magic).CopyTo(welcome, 0);

        Assert.False(SessionFrames.TryReadHello(hello, out _));
        Assert.False(SessionFrames.TryReadWelcome(welcome, out _, out _));
    }

    [Fact]
    public void Fd_with_a_wrong_magic_is_refused()
    {
        var message = new byte[SessionFrames.HandoffLength];
        SessionFrames.WriteFd(message, 7);
        message[3] = (byte)'X';

        Assert.False(SessionFrames.TryReadFd(message, out _));
    }

    [Fact]
    public void Empty_messages_are_refused()
    {
        Assert.False(SessionFrames.TryReadHello([], out _));
        Assert.False(SessionFrames.TryReadWelcome([], out _, out _));
        Assert.False(SessionFrames.TryReadFd([], out _));
        Assert.False(SessionFrames.TryReadTaken([], []));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void Messages_one_byte_off_their_length_are_refused(int delta)
    {
        var hello = new byte[SessionFrames.HelloLength + 1];
        var welcome = new byte[SessionFrames.WelcomeLength + 1];
        var fd = new byte[SessionFrames.HandoffLength + 1];
        SessionFrames.WriteHello(hello);
        SessionFrames.WriteWelcome(welcome, new byte[16]);
        SessionFrames.WriteFd(fd, 9);

        Assert.False(SessionFrames.TryReadHello(hello.AsSpan(0, SessionFrames.HelloLength + delta), out _));
        Assert.False(SessionFrames.TryReadWelcome(welcome.AsSpan(0, SessionFrames.WelcomeLength + delta), out _, out _));
        Assert.False(SessionFrames.TryReadFd(fd.AsSpan(0, SessionFrames.HandoffLength + delta), out _));
        Assert.False(SessionFrames.TryReadTaken(fd.AsSpan(0, SessionFrames.HandoffLength + delta), []));
    }

    [Fact]
    public void A_welcome_is_not_mistaken_for_a_hello()
    {
        var welcome = new byte[SessionFrames.WelcomeLength];
        SessionFrames.WriteWelcome(welcome, new byte[16]);

        Assert.False(SessionFrames.TryReadHello(welcome, out _));
    }

    [Fact]
    public void MaxLength_holds_every_message()
    {
        Assert.True(SessionFrames.MaxLength >= SessionFrames.HelloLength);
        Assert.True(SessionFrames.MaxLength >= SessionFrames.WelcomeLength);
        Assert.True(SessionFrames.MaxLength >= SessionFrames.HandoffLength);
    }

    [Fact]
    public void Close_round_trips_its_handoff_id_and_name()
    {
        var buffer = new byte[SessionFrames.MaxCloseLength];
        var name = new string('n', RegionName.MaxLength);

        var length = SessionFrames.WriteClose(buffer, 0x0102030405060708, name);

        Assert.Equal(SessionFrames.MaxCloseLength, length);
        Assert.Equal("MAPC"u8.ToArray(), buffer[..4]);
        Assert.True(SessionFrames.TryReadClose(buffer.AsSpan(0, length), out var handoffId, out var read));
        Assert.Equal(0x0102030405060708UL, handoffId);
        Assert.Equal(name, read);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    public void Close_of_a_bad_name_is_refused_when_written(string name) =>
        Assert.Throws<ArgumentException>(() => SessionFrames.WriteClose(new byte[SessionFrames.MaxCloseLength], 1, name));

    [Fact]
    public void Close_without_a_name_too_long_or_under_another_magic_is_not_a_close()
    {
        var valid = new byte[SessionFrames.MaxCloseLength];
        var length = SessionFrames.WriteClose(valid, 7, "r");

        Assert.False(SessionFrames.TryReadClose(valid.AsSpan(0, 12), out _, out _));
        Assert.False(SessionFrames.TryReadClose(new byte[SessionFrames.MaxCloseLength + 1], out _, out _));
        Assert.False(SessionFrames.TryReadTaken(valid.AsSpan(0, length), []));
        valid[3] = (byte)'T';
        Assert.False(SessionFrames.TryReadClose(valid.AsSpan(0, length), out _, out _));
    }

    [Fact]
    public void Refused_carries_the_status_code_and_the_reason()
    {
        var message = new byte[SessionFrames.MaxLength];

        var length = SessionFrames.WriteRefused(message, 8, "uid 1000 already holds 2 sessions (Mapd:Quota:Sessions = 2)");

        Assert.Equal("MAPR"u8.ToArray(), message[..4]);
        Assert.True(SessionFrames.TryReadRefused(message.AsSpan(0, length), out var code, out var reason));
        Assert.Equal(8u, code);
        Assert.Equal("uid 1000 already holds 2 sessions (Mapd:Quota:Sessions = 2)", reason);
        Assert.False(SessionFrames.TryReadWelcome(message.AsSpan(0, length), out _, out _));
    }

    [Fact]
    public void A_reason_too_long_for_one_message_is_cut_to_fit()
    {
        var message = new byte[SessionFrames.MaxLength];

        var length = SessionFrames.WriteRefused(message, 8, new string('x', 2000));

        Assert.Equal(SessionFrames.MaxLength, length);
        Assert.True(SessionFrames.TryReadRefused(message.AsSpan(0, length), out _, out var reason));
        Assert.Equal(SessionFrames.MaxLength - 8, reason.Length);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'M', (byte)'A', (byte)'P', (byte)'R', 8, 0, 0 })]
    [InlineData(new byte[] { (byte)'M', (byte)'A', (byte)'P', (byte)'D', 8, 0, 0, 0, 1 })]
    public void Anything_else_is_not_refused(byte[] message)
    {
        Assert.False(SessionFrames.TryReadRefused(message, out _, out _));
    }
}
