using System.Buffers;
using System.IO.Pipelines;
using Grpc.Core;
using Mapd.Server.Api.Wire;

namespace Mapd.Server.Tests.Api;

public sealed class RequestFramesTests
{
    private static byte[] Frame(int length, byte flag = 0) =>
        [flag, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length, .. new byte[length]];

    private static StatusCode? Check(byte[] body, bool single = true)
    {
        try
        {
            new RequestFrames("/mapd.v1.Regions/Get", single).Check(new ReadOnlySequence<byte>(body), 0, completed: true);
            return null;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }

    [Fact]
    public void One_whole_message_passes()
    {
        Assert.Null(Check(Frame(0)));
        Assert.Null(Check(Frame(7)));
        Assert.Null(Check(Frame(RequestFrames.MaxMessageBytes)));
    }

    [Fact]
    public void A_streaming_request_may_carry_any_number_of_messages_or_none()
    {
        Assert.Null(Check([], single: false));
        Assert.Null(Check([.. Frame(3), .. Frame(0), .. Frame(9)], single: false));
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 2, 8 }, StatusCode.InvalidArgument)]
    [InlineData(new byte[] { 0, 0 }, StatusCode.InvalidArgument)]
    [InlineData(new byte[0], StatusCode.InvalidArgument)]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0 }, StatusCode.InvalidArgument)]
    [InlineData(new byte[] { 7, 0, 0, 0, 0 }, StatusCode.InvalidArgument)]
    [InlineData(new byte[] { 1, 0, 0, 0, 0 }, StatusCode.Unimplemented)]
    [InlineData(new byte[] { 0, 0, 0x10, 0, 1 }, StatusCode.ResourceExhausted)]
    [InlineData(new byte[] { 0, 0x80, 0, 0, 0 }, StatusCode.ResourceExhausted)]
    public void Each_broken_rule_has_its_status(byte[] body, StatusCode code) => Assert.Equal(code, Check(body));

    [Fact]
    public void Every_prefix_of_a_streaming_request_is_checked()
    {
        Assert.Equal(StatusCode.InvalidArgument, Check([.. Frame(3), .. Frame(1), 9, 0, 0, 0, 0], single: false));
        Assert.Equal(StatusCode.ResourceExhausted, Check([.. Frame(3), 0, 0x7f, 0, 0, 0], single: false));
    }

    [Fact]
    public void An_oversized_prefix_is_refused_before_its_message_arrives()
    {
        var frames = new RequestFrames("/m", singleMessage: true);
        var e = Assert.Throws<RpcException>(() => frames.Check(new ReadOnlySequence<byte>([0, 0xff, 0xff, 0xff, 0xff]), 0, completed: false));
        Assert.Contains("4294967295 bytes is above mapd's limit of 1048576 bytes", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_may_arrive_one_at_a_time_and_be_consumed_message_by_message()
    {
        // The reader sees the unconsumed rest of the stream each time, as a pipe hands it out.
        byte[] body = [.. Frame(2), .. Frame(0), .. Frame(5)];
        var frames = new RequestFrames("/m", singleMessage: false);
        long consumed = 0;
        for (var received = 1; received <= body.Length; received++)
        {
            frames.Check(new ReadOnlySequence<byte>(body, (int)consumed, received - (int)consumed), consumed, received == body.Length);
            if (received == 7)
            {
                consumed = 7;
            }
        }

        Assert.Equal(3, frames.Messages);
    }

    [Fact]
    public async Task The_reader_refuses_a_broken_prefix_and_leaves_the_pipe_usable()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Frame(4));
        var reader = new FramedRequestReader(pipe.Reader, new RequestFrames("/m", singleMessage: true));

        var first = await reader.ReadAsync();
        Assert.Equal(9, first.Buffer.Length);
        reader.AdvanceTo(first.Buffer.End);

        await pipe.Writer.WriteAsync(new byte[] { 3 });
        var e = await Assert.ThrowsAsync<RpcException>(async () => await reader.ReadAsync());
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("exactly one request message", e.Status.Detail, StringComparison.Ordinal);

        // The refused buffer was handed back unconsumed: the pipe can be read again (else "reading is already in progress").
        Assert.True(pipe.Reader.TryRead(out var rest));
        Assert.Equal(1, rest.Buffer.Length);
        pipe.Reader.AdvanceTo(rest.Buffer.End);
        await reader.CompleteAsync();
    }

    [Fact]
    public async Task The_reader_turns_a_reset_into_cancelled()
    {
        var pipe = new Pipe();
        await pipe.Writer.CompleteAsync(new IOException("The client reset the request stream."));
        var reader = new FramedRequestReader(pipe.Reader, new RequestFrames("/m", singleMessage: true));

        var e = await Assert.ThrowsAsync<RpcException>(async () => await reader.ReadAsync());

        Assert.Equal(StatusCode.Cancelled, e.StatusCode);
    }

    [Fact]
    public async Task The_reader_lets_its_own_cancellation_through()
    {
        var reader = new FramedRequestReader(new Pipe().Reader, new RequestFrames("/m", singleMessage: true));
        using var cancel = new CancellationTokenSource();
        var read = reader.ReadAsync(cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await read);
    }
}
