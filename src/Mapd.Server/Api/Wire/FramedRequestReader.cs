using System.Buffers;
using System.IO.Pipelines;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Mapd.Server.Api.Wire;

/// <summary>
/// The request body as grpc-dotnet reads it, with every message prefix checked by
/// <see cref="RequestFrames"/> before grpc-dotnet sees it: a broken rule surfaces as the
/// <see cref="Grpc.Core.RpcException"/> of that rule from the read that brought it.
/// </summary>
internal sealed class FramedRequestReader(PipeReader inner, RequestFrames frames) : PipeReader
{
    // The buffer last handed out, and the stream offset of its start: AdvanceTo measures against it.
    private ReadOnlySequence<byte> _handedOut;
    private long _offset;

    /// <inheritdoc />
    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ReadResult result;
        try
        {
            result = await inner.ReadAsync(cancellationToken);
        }
        catch (Exception e) when (Translate(e, cancellationToken) is { } status)
        {
            throw status;
        }

        return Checked(result);
    }

    /// <inheritdoc />
    public override bool TryRead(out ReadResult result)
    {
        try
        {
            if (!inner.TryRead(out result))
            {
                return false;
            }
        }
        catch (Exception e) when (Translate(e, CancellationToken.None) is { } status)
        {
            throw status;
        }

        result = Checked(result);
        return true;
    }

    /// <inheritdoc />
    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    /// <inheritdoc />
    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _offset += _handedOut.Slice(_handedOut.Start, consumed).Length;
        _handedOut = default;
        inner.AdvanceTo(consumed, examined);
    }

    /// <inheritdoc />
    public override void CancelPendingRead() => inner.CancelPendingRead();

    /// <inheritdoc />
    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    /// <inheritdoc />
    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    /// <summary>
    /// What Kestrel's body reads throw when the client leaves or stalls, as a status; grpc-dotnet
    /// would answer them with UNKNOWN. Null for a cancellation the reader asked for itself.
    /// </summary>
    private static RpcException? Translate(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => null,
        BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } =>
            new RpcException(new Status(StatusCode.DeadlineExceeded, "the request arrived too slowly (below the server's minimum data rate); send the request message at once")),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new RpcException(new Status(StatusCode.ResourceExhausted, $"the request body is too large; mapd's request messages are at most {RequestFrames.MaxMessageBytes} bytes")),
        IOException or OperationCanceledException =>
            new RpcException(new Status(StatusCode.Cancelled, "the client reset the call before its request arrived")),
        _ => null,
    };

    private ReadResult Checked(ReadResult result)
    {
        _handedOut = result.Buffer;
        if (!result.IsCanceled)
        {
            try
            {
                frames.Check(result.Buffer, _offset, result.IsCompleted);
            }
            catch
            {
                // Nothing of this buffer goes to the reader: give it back untouched, so the pipe
                // stays usable and a read again meets the same refusal.
                AdvanceTo(result.Buffer.Start);
                throw;
            }
        }

        return result;
    }
}
