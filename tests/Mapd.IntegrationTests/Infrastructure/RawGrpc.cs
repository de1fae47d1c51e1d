using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;

namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>
/// gRPC calls built by hand over HTTP/2 on a daemon's <c>mapd.sock</c>, for bodies and headers no
/// gRPC client would send: any bytes, any framing, any content type.
/// </summary>
public sealed class RawGrpc : IDisposable
{
    private readonly HttpClient _http;

    /// <summary>A client of the socket at <paramref name="path"/>.</summary>
    public RawGrpc(string path)
    {
        _http = new HttpClient(UnixGrpc.Handler(path))
        {
            BaseAddress = new Uri("http://localhost"),
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>One gRPC message: the uncompressed flag, a big-endian length, the bytes.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> message, byte flag = 0)
    {
        var frame = new byte[5 + message.Length];
        frame[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame.AsSpan(5));
        return frame;
    }

    /// <summary>
    /// POSTs <paramref name="body"/> to <paramref name="method"/> (<c>/package.Service/Method</c>)
    /// and returns the HTTP status and the gRPC status from the headers or the trailers. For a
    /// <paramref name="streaming"/> method, a stream that began (headers without a status) counts
    /// as OK and is left at once.
    /// </summary>
    public async Task<RawAnswer> CallAsync(string method, byte[] body, string contentType = "application/grpc", IEnumerable<KeyValuePair<string, string>>? headers = null, bool streaming = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, method)
        {
            Content = new ByteArrayContent(body),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (streaming && response.StatusCode == HttpStatusCode.OK && Field(response.Headers, "grpc-status") is null)
        {
            // A server stream that began (Watch): the call was accepted; leaving ends it.
            return new RawAnswer((int)response.StatusCode, StatusCode.OK, "stream open", []);
        }

        var payload = await response.Content.ReadAsByteArrayAsync();
        var status = Field(response.Headers, "grpc-status") ?? Field(response.TrailingHeaders, "grpc-status");
        var message = Field(response.Headers, "grpc-message") ?? Field(response.TrailingHeaders, "grpc-message") ?? string.Empty;
        return new RawAnswer(
            (int)response.StatusCode,
            status is null ? null : (StatusCode)int.Parse(status, CultureInfo.InvariantCulture),
            Uri.UnescapeDataString(message),
            payload);
    }

    /// <summary>
    /// Starts a call to <paramref name="method"/>, sends <paramref name="start"/> of its body, and
    /// resets the stream once the daemon has answered with headers or <paramref name="wait"/> passed.
    /// </summary>
    public async Task AbandonAsync(string method, byte[] start, TimeSpan wait)
    {
        using var abandon = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Post, method)
        {
            Content = new PartialContent(start, abandon.Token),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/grpc");
        var send = _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, abandon.Token);
        await Task.WhenAny(send, Task.Delay(wait));
        await abandon.CancelAsync();
        try
        {
            using var response = await send;
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    /// <summary>A body that sends its first bytes and then never ends.</summary>
    private sealed class PartialContent(byte[] start, CancellationToken abandoned) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(start, abandoned);
            await stream.FlushAsync(abandoned);
            await Task.Delay(Timeout.Infinite, abandoned);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private static string? Field(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}

/// <summary>What the daemon answered a hand-built call.</summary>
/// <param name="HttpStatus">The HTTP status (200 for every gRPC answer but a wrong content type).</param>
/// <param name="Code">The gRPC status; null when the answer had none.</param>
/// <param name="Message">The gRPC status message, decoded.</param>
/// <param name="Body">The response messages, framed.</param>
public sealed record RawAnswer(int HttpStatus, StatusCode? Code, string Message, byte[] Body);
