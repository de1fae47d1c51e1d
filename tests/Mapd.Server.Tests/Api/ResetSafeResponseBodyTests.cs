using System.IO.Pipelines;
using Mapd.Server.Api.Wire;
using Microsoft.AspNetCore.Http.Features;

namespace Mapd.Server.Tests.Api;

public sealed class ResetSafeResponseBodyTests
{
    [Fact]
    public void A_writer_that_gives_an_empty_buffer_without_a_size_is_asked_again_with_one()
    {
        var body = new ResetSafeResponseBody(new Body(new ResetStreamWriter()));

        Assert.True(body.Writer.GetSpan().Length > 0);
        Assert.True(body.Writer.GetMemory().Length > 0);
        Assert.Equal(300, body.Writer.GetSpan(300).Length);
    }

    [Fact]
    public void A_writer_that_gives_no_buffer_at_all_fails_the_write_instead_of_looping()
    {
        var body = new ResetSafeResponseBody(new Body(new ResetStreamWriter { GivesNothing = true }));

        Assert.Throws<InvalidOperationException>(() => body.Writer.GetSpan());
        Assert.Throws<InvalidOperationException>(() => body.Writer.GetMemory());
    }

    [Fact]
    public async Task Everything_else_reaches_the_inner_writer()
    {
        var inner = new ResetStreamWriter();
        var body = new ResetSafeResponseBody(new Body(inner));

        body.Writer.GetSpan(10);
        body.Writer.Advance(7);
        await body.Writer.FlushAsync();
        await body.Writer.CompleteAsync();

        Assert.Equal(7, inner.Advanced);
        Assert.Equal(1, inner.Flushes);
        Assert.True(inner.Completed);
    }

    [Fact]
    public async Task A_write_that_comes_after_the_response_was_completed_is_dropped_instead_of_refused()
    {
        // grpc/grpc-dotnet#783: a deadline completes the response while the handler writes its reply.
        var inner = new ResetStreamWriter();
        var body = new ResetSafeResponseBody(new Body(inner));

        body.Writer.GetSpan(10);
        await body.CompleteAsync();
        body.Writer.Advance(7);
        var late = body.Writer.GetSpan(10).Length;
        var flushed = await body.Writer.FlushAsync();

        Assert.Equal(0, inner.Advanced);
        Assert.True(late >= 10);
        Assert.True(flushed.IsCompleted);
        Assert.Equal(0, inner.Flushes);
        Assert.True(inner.BodyCompleted);
    }

    [Fact]
    public async Task Completing_the_writer_ends_the_response_for_later_writes_too()
    {
        var inner = new ResetStreamWriter();
        var body = new ResetSafeResponseBody(new Body(inner));

        await body.Writer.CompleteAsync();
        body.Writer.GetMemory(10);
        body.Writer.Advance(3);
        var written = await body.Writer.WriteAsync(new byte[4]);

        Assert.True(inner.Completed);
        Assert.Equal(0, inner.Advanced);
        Assert.True(written.IsCompleted);
    }

    /// <summary>What Kestrel 10.0's writer does once its stream was reset: no buffer unless asked for a size.</summary>
    private sealed class ResetStreamWriter : PipeWriter
    {
        public bool GivesNothing { get; init; }

        public int Advanced { get; private set; }

        public int Flushes { get; private set; }

        public bool Completed { get; private set; }

        public bool BodyCompleted { get; set; }

        public override void Advance(int bytes) => Advanced += (Completed || BodyCompleted) ? throw new InvalidOperationException("Invalid ordering of calling StartAsync or CompleteAsync and Advance.") : bytes;

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null) => Completed = true;

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            Flushes++;
            return ValueTask.FromResult(new FlushResult(isCanceled: false, isCompleted: false));
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => sizeHint <= 0 || GivesNothing ? Memory<byte>.Empty : new byte[sizeHint];

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    }

    private sealed class Body(ResetStreamWriter writer) : IHttpResponseBodyFeature
    {
        public Stream Stream => Stream.Null;

        public PipeWriter Writer => writer;

        public Task CompleteAsync()
        {
            writer.BodyCompleted = true;
            return Task.CompletedTask;
        }

        public void DisableBuffering()
        {
        }

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
