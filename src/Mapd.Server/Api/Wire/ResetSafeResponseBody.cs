using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Mapd.Server.Api.Wire;

/// <summary>
/// The response body of a gRPC call, as Kestrel's, except that asking for a buffer never
/// yields an empty one. Once a client resets its HTTP/2 stream, Kestrel (10.0) answers
/// <c>GetSpan()</c> without a size hint with an empty span, and protobuf's copy of a string
/// that does not fit the current buffer then asks again forever: a client that cancels a large
/// List mid-reply held a thread at full CPU for good (the bulk-read lane, or a thread-pool
/// thread for a page). Asking again with a size gets Kestrel's discard buffer, the reply is
/// written into it and dropped, and the call ends as cancelled.
/// Also, once the response was completed (grpc-dotnet completes it with DEADLINE_EXCEEDED when a
/// call's deadline passes, while the handler may still be writing its reply: grpc/grpc-dotnet#783),
/// what the handler still writes goes into a buffer of its own and is dropped, instead of Kestrel
/// refusing the write and grpc-dotnet logging that as the handler's error.
/// </summary>
internal sealed class ResetSafeResponseBody : IHttpResponseBodyFeature
{
    // Any size works: Kestrel's discard buffer for a reset stream is at least what is asked for.
    private const int RetrySize = 256;

    private readonly IHttpResponseBodyFeature _inner;
    private readonly NonEmptyBufferWriter _writer;

    public ResetSafeResponseBody(IHttpResponseBodyFeature inner)
    {
        _inner = inner;
        _writer = new NonEmptyBufferWriter(inner.Writer, this);
    }

    /// <inheritdoc />
    public Stream Stream => _inner.Stream;

    /// <inheritdoc />
    public PipeWriter Writer => _writer;

    // Completing and writing exclude each other, so a write either lands before the response
    // ends or is dropped after it; never in between, where Kestrel refuses it.
    private Lock Gate { get; } = new();

    private bool Completed { get; set; }

    /// <inheritdoc />
    public Task CompleteAsync()
    {
        lock (Gate)
        {
            Completed = true;
            return _inner.CompleteAsync();
        }
    }

    /// <inheritdoc />
    public void DisableBuffering() => _inner.DisableBuffering();

    /// <inheritdoc />
    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        _inner.SendFileAsync(path, offset, count, cancellationToken);

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken = default) => _inner.StartAsync(cancellationToken);

    private sealed class NonEmptyBufferWriter(PipeWriter inner, ResetSafeResponseBody body) : PipeWriter
    {
        private static readonly FlushResult Ended = new(isCanceled: false, isCompleted: true);

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes)
        {
            lock (body.Gate)
            {
                if (!body.Completed)
                {
                    inner.Advance(bytes);
                }
            }
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null)
        {
            lock (body.Gate)
            {
                body.Completed = true;
                inner.Complete(exception);
            }
        }

        public override ValueTask CompleteAsync(Exception? exception = null)
        {
            lock (body.Gate)
            {
                body.Completed = true;
                return inner.CompleteAsync(exception);
            }
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) =>
            Ends() ? ValueTask.FromResult(Ended) : inner.FlushAsync(cancellationToken);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) =>
            Ends() ? ValueTask.FromResult(Ended) : inner.WriteAsync(source, cancellationToken);

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            if (Ends())
            {
                return new byte[Math.Max(sizeHint, RetrySize)];
            }

            var memory = inner.GetMemory(sizeHint);
            if (memory.IsEmpty)
            {
                memory = inner.GetMemory(Math.Max(sizeHint, RetrySize));
            }

            return memory.IsEmpty ? throw NoBuffer() : memory;
        }

        public override Span<byte> GetSpan(int sizeHint = 0)
        {
            if (Ends())
            {
                return new byte[Math.Max(sizeHint, RetrySize)];
            }

            var span = inner.GetSpan(sizeHint);
            if (span.IsEmpty)
            {
                span = inner.GetSpan(Math.Max(sizeHint, RetrySize));
            }

            return span.IsEmpty ? throw NoBuffer() : span;
        }

        private bool Ends()
        {
            lock (body.Gate)
            {
                return body.Completed;
            }
        }

        private static InvalidOperationException NoBuffer() => new("the response stream gives no buffer to write into, even when asked for a size");
    }
}
