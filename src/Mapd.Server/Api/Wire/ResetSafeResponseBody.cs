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
/// </summary>
internal sealed class ResetSafeResponseBody(IHttpResponseBodyFeature inner) : IHttpResponseBodyFeature
{
    // Any size works: Kestrel's discard buffer for a reset stream is at least what is asked for.
    private const int RetrySize = 256;

    private readonly NonEmptyBufferWriter _writer = new(inner.Writer);

    /// <inheritdoc />
    public Stream Stream => inner.Stream;

    /// <inheritdoc />
    public PipeWriter Writer => _writer;

    /// <inheritdoc />
    public Task CompleteAsync() => inner.CompleteAsync();

    /// <inheritdoc />
    public void DisableBuffering() => inner.DisableBuffering();

    /// <inheritdoc />
    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        inner.SendFileAsync(path, offset, count, cancellationToken);

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    private sealed class NonEmptyBufferWriter(PipeWriter inner) : PipeWriter
    {
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes) => inner.Advance(bytes);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) =>
            inner.WriteAsync(source, cancellationToken);

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            var memory = inner.GetMemory(sizeHint);
            if (memory.IsEmpty)
            {
                memory = inner.GetMemory(Math.Max(sizeHint, RetrySize));
            }

            return memory.IsEmpty ? throw NoBuffer() : memory;
        }

        public override Span<byte> GetSpan(int sizeHint = 0)
        {
            var span = inner.GetSpan(sizeHint);
            if (span.IsEmpty)
            {
                span = inner.GetSpan(Math.Max(sizeHint, RetrySize));
            }

            return span.IsEmpty ? throw NoBuffer() : span;
        }

        private static InvalidOperationException NoBuffer() => new("the response stream gives no buffer to write into, even when asked for a size");
    }
}
