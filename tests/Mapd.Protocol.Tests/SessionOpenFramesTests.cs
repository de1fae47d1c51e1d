using System.Buffers.Binary;
using Google.Protobuf.WellKnownTypes;
using Mapd.Protocol.V1;

namespace Mapd.Protocol.Tests;

public sealed class SessionOpenFramesTests
{
    [Fact]
    public void Open_is_MAPO_request_id_access_and_the_name()
    {
        var buffer = new byte[SessionOpenFrames.MaxOpenLength];

        var length = SessionOpenFrames.WriteOpen(buffer, 0x0102030405060708, Access.ReadOnly, "orders");

        Assert.Equal(13 + 6, length);
        Assert.Equal("MAPO"u8.ToArray(), buffer[..4]);
        Assert.Equal(0x0102030405060708UL, BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(4)));
        Assert.Equal((byte)Access.ReadOnly, buffer[12]);
        Assert.Equal("orders"u8.ToArray(), buffer[13..length]);
    }

    [Fact]
    public void Open_round_trips_with_the_longest_name()
    {
        var buffer = new byte[SessionOpenFrames.MaxOpenLength];
        var name = new string('n', RegionName.MaxLength);

        var length = SessionOpenFrames.WriteOpen(buffer, 9, Access.ReadWrite, name);

        Assert.Equal(SessionOpenFrames.MaxOpenLength, length);
        Assert.True(SessionOpenFrames.TryReadOpen(buffer.AsSpan(0, length), out var requestId, out var access, out var read));
        Assert.Equal(9UL, requestId);
        Assert.Equal(Access.ReadWrite, access);
        Assert.Equal(name, read);
        Assert.True(SessionOpenFrames.MaxOpenLength <= SessionFrames.MaxLength);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    public void Open_of_a_name_no_region_can_have_is_not_written(string name)
    {
        var buffer = new byte[SessionOpenFrames.MaxOpenLength];

        Assert.Throws<ArgumentException>(() => SessionOpenFrames.WriteOpen(buffer, 1, Access.ReadOnly, name));
    }

    [Fact]
    public void Open_with_no_access_is_not_written()
    {
        var buffer = new byte[SessionOpenFrames.MaxOpenLength];

        var e = Assert.Throws<ArgumentException>(() => SessionOpenFrames.WriteOpen(buffer, 1, Access.Unspecified, "a"));

        Assert.Contains("ACCESS_READ_ONLY", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_reading_returns_what_was_sent_for_the_daemon_to_judge()
    {
        byte[] message = [.. "MAPO"u8, 1, 0, 0, 0, 0, 0, 0, 0, 99, (byte)'a', 0xE9];

        Assert.True(SessionFrames.MaxLength >= message.Length);
        Assert.True(SessionOpenFrames.TryReadOpen(message, out _, out var access, out var name));
        Assert.Equal((Access)99, access);
        Assert.Equal("a\u00E9", name);
        Assert.NotNull(RegionName.Validate(name));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(12)]
    [InlineData(13)]
    public void Open_without_a_name_is_not_an_open(int length)
    {
        var buffer = new byte[SessionOpenFrames.MaxOpenLength];
        SessionOpenFrames.WriteOpen(buffer, 1, Access.ReadOnly, "a");

        Assert.False(SessionOpenFrames.TryReadOpen(buffer.AsSpan(0, length), out _, out _, out _));
    }

    [Fact]
    public void Open_longer_than_the_longest_name_allows_is_not_an_open()
    {
        var buffer = new byte[SessionOpenFrames.MaxOpenLength + 1];
        SessionOpenFrames.WriteOpen(buffer, 1, Access.ReadOnly, new string('n', RegionName.MaxLength));

        Assert.False(SessionOpenFrames.TryReadOpen(buffer, out _, out _, out _));
    }

    [Fact]
    public void Opened_round_trips_the_largest_region_an_open_answers_with()
    {
        var region = new Region
        {
            Name = new string('r', RegionName.MaxLength),
            Size = ulong.MaxValue,
            Generation = ulong.MaxValue,
            OwnerUid = uint.MaxValue,
            Gid = uint.MaxValue,
            Mode = uint.MaxValue,
            PendingSize = ulong.MaxValue,
            CreatedAt = new Timestamp { Seconds = long.MaxValue, Nanos = int.MaxValue },
            Mappers = uint.MaxValue,
            MaxSize = ulong.MaxValue,
            PendingShrink = new PendingShrink { Generation = ulong.MaxValue, Since = new Timestamp { Seconds = long.MaxValue, Nanos = int.MaxValue }, HolePunched = true },
        };
        var buffer = new byte[SessionFrames.MaxLength];

        var length = SessionOpenFrames.WriteOpened(buffer, 3, 0xAABBCCDD, Access.ReadOnly, region);

        Assert.Equal("MAPG"u8.ToArray(), buffer[..4]);
        Assert.True(SessionOpenFrames.TryReadOpened(buffer.AsSpan(0, length), out var requestId, out var handoffId, out var access, out var read));
        Assert.Equal(3UL, requestId);
        Assert.Equal(0xAABBCCDDUL, handoffId);
        Assert.Equal(Access.ReadOnly, access);
        Assert.Equal(region, read);
    }

    [Fact]
    public void Opened_whose_region_does_not_parse_is_not_an_opened()
    {
        var buffer = new byte[SessionFrames.MaxLength];
        var length = SessionOpenFrames.WriteOpened(buffer, 1, 2, Access.ReadOnly, new Region { Name = "a", Size = 4096 });
        buffer[21] = 0xFF;

        Assert.False(SessionOpenFrames.TryReadOpened(buffer.AsSpan(0, length), out _, out _, out _, out _));
        Assert.False(SessionOpenFrames.TryReadOpened(buffer.AsSpan(0, 20), out _, out _, out _, out _));
    }

    [Fact]
    public void Failed_round_trips_its_code_and_reason()
    {
        var buffer = new byte[SessionFrames.MaxLength];

        var length = SessionOpenFrames.WriteFailed(buffer, 5, 5, "region 'a' does not exist");

        Assert.Equal("MAPE"u8.ToArray(), buffer[..4]);
        Assert.True(SessionOpenFrames.TryReadFailed(buffer.AsSpan(0, length), out var requestId, out var code, out var reason));
        Assert.Equal(5UL, requestId);
        Assert.Equal(5U, code);
        Assert.Equal("region 'a' does not exist", reason);
    }

    [Fact]
    public void Failed_cuts_a_long_reason_to_fit_a_message()
    {
        var buffer = new byte[SessionFrames.MaxLength];

        var length = SessionOpenFrames.WriteFailed(buffer, 1, 8, new string('x', 4 * SessionFrames.MaxLength));

        Assert.Equal(SessionFrames.MaxLength, length);
        Assert.True(SessionOpenFrames.TryReadFailed(buffer, out _, out _, out var reason));
        Assert.Equal(SessionFrames.MaxLength - 16, reason.Length);
    }

    [Fact]
    public void The_three_messages_are_not_mistaken_for_each_other_or_for_the_others()
    {
        var open = new byte[SessionOpenFrames.MaxOpenLength];
        var opened = new byte[SessionFrames.MaxLength];
        var failed = new byte[SessionFrames.MaxLength];
        var close = new byte[SessionFrames.MaxCloseLength];
        var openLength = SessionOpenFrames.WriteOpen(open, 1, Access.ReadOnly, "abcdefghijklmnop");
        var openedLength = SessionOpenFrames.WriteOpened(opened, 1, 2, Access.ReadOnly, new Region { Name = "a" });
        var failedLength = SessionOpenFrames.WriteFailed(failed, 1, 5, "no");
        var closeLength = SessionFrames.WriteClose(close, 1, "abcdefghijklmnop");

        Assert.False(SessionOpenFrames.TryReadOpen(opened.AsSpan(0, openedLength), out _, out _, out _));
        Assert.False(SessionOpenFrames.TryReadOpen(failed.AsSpan(0, failedLength), out _, out _, out _));
        Assert.False(SessionOpenFrames.TryReadOpen(close.AsSpan(0, closeLength), out _, out _, out _));
        Assert.False(SessionOpenFrames.TryReadOpened(open.AsSpan(0, openLength), out _, out _, out _, out _));
        Assert.False(SessionOpenFrames.TryReadOpened(failed.AsSpan(0, failedLength), out _, out _, out _, out _));
        Assert.False(SessionOpenFrames.TryReadFailed(open.AsSpan(0, openLength), out _, out _, out _));
        Assert.False(SessionOpenFrames.TryReadFailed(opened.AsSpan(0, openedLength), out _, out _, out _));
        Assert.False(SessionFrames.TryReadClose(open.AsSpan(0, openLength), out _, out _));
        Assert.False(SessionFrames.TryReadTaken(open.AsSpan(0, openLength), []));
    }
}
