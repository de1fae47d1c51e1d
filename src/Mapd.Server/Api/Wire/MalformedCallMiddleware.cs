using Grpc.AspNetCore.Server;
using Grpc.Core;
using Mapd.Server.Meters;
using Mapd.Server.Peers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Api.Wire;

/// <summary>
/// Answers for gRPC calls that fail before a handler runs: a wrong content type gets 415 and
/// INVALID_ARGUMENT; the body is held to <see cref="RequestFrames"/>; and a call that ends with
/// an error without reaching <see cref="ErrorInterceptor"/> (bad framing, a message that does not
/// parse, an unknown method) is counted in <c>mapd_errors_total{code}</c> and logged, without a
/// stack trace, at most once a second per peer. The response body never hands out an empty
/// buffer (<see cref="ResetSafeResponseBody"/>).
/// </summary>
internal sealed class MalformedCallMiddleware(RequestDelegate next, PeerLogThrottle<(uint Uid, int Pid)> limiter, ILogger<MalformedCallMiddleware> logger)
{
    private const string StatusHeader = "grpc-status";
    private const string MessageHeader = "grpc-message";

    /// <summary>Handles one request.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        // Only the gRPC socket's connections carry a caller; the metrics listener is left alone.
        if (context.Features.Get<CallerFeature>() is not { } caller)
        {
            await next(context);
            return;
        }

        var method = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;
        if (method is not null)
        {
            if (!IsGrpcContentType(context.Request.ContentType))
            {
                RefuseContentType(context, method.FullName);
                Account(context, caller, method.FullName);
                return;
            }

            var body = context.Features.GetRequiredFeature<IRequestBodyPipeFeature>();
            var frames = new RequestFrames(method.FullName, method.Type is MethodType.Unary or MethodType.ServerStreaming);
            context.Features.Set<IRequestBodyPipeFeature>(new FramedBody(new FramedRequestReader(body.Reader, frames)));
            context.Features.Set<IHttpResponseBodyFeature>(new ResetSafeResponseBody(context.Features.GetRequiredFeature<IHttpResponseBodyFeature>()));
        }

        await next(context);
        if (context.Features.Get<AdmittedCallFeature>() is null)
        {
            Account(context, caller, method?.FullName ?? Shorten(context.Request.Path.Value ?? "/"));
        }
    }

    // grpc-dotnet's rule: application/grpc, optionally followed by +format or ;parameters.
    private static bool IsGrpcContentType(string? contentType) =>
        contentType is not null
        && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == 16 || contentType[16] is '+' or ';');

    private static void RefuseContentType(HttpContext context, string method)
    {
        // 415 keeps other HTTP/2 clients from taking the answer for a success, as the gRPC spec asks.
        var response = context.Response;
        response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
        response.ContentType = "application/grpc";
        response.Headers[StatusHeader] = ((int)StatusCode.InvalidArgument).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers[MessageHeader] = Uri.EscapeDataString(
            $"{method} is a gRPC method: send it as Content-Type application/grpc over HTTP/2, with a gRPC client; '{Shorten(context.Request.ContentType ?? string.Empty)}' is not gRPC");
    }

    private void Account(HttpContext context, CallerFeature caller, string method)
    {
        if (StatusOf(context) is not { } code || code == StatusCode.OK)
        {
            return;
        }

        MapdMetrics.CallFailed(code);
        if (code == StatusCode.Cancelled)
        {
            // The client went away: nothing it sent was wrong, and nobody reads the answer.
            return;
        }

        var peer = (caller.Caller.Uid, caller.Caller.Pid);
        if (logger.IsEnabled(LogLevel.Warning) && limiter.TryLog(peer, out var heldBack))
        {
            WireLog.MalformedCall(logger, method, peer.Uid, peer.Pid, code, DetailOf(context), heldBack);
        }
    }

    /// <summary>What a peer chose (a path, a content type), cut to a length fit for a status message and a log line.</summary>
    private static string Shorten(string text) => text.Length <= 100 ? text : string.Concat(text.AsSpan(0, 100), "…");

    private static StatusCode? StatusOf(HttpContext context) =>
        int.TryParse(Final(context, StatusHeader), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code)
            ? (StatusCode)code
            : null;

    private static string DetailOf(HttpContext context) => Final(context, MessageHeader) is { Length: > 0 } message
        ? Uri.UnescapeDataString(message)
        : string.Empty;

    /// <summary>A status field: in the headers of a trailers-only answer, else in the trailers.</summary>
    private static string? Final(HttpContext context, string name) =>
        context.Response.Headers.TryGetValue(name, out var value) && value.Count > 0
            ? value.ToString()
            : context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers.TryGetValue(name, out var trailer) == true ? trailer.ToString() : null;

    private sealed class FramedBody(System.IO.Pipelines.PipeReader reader) : IRequestBodyPipeFeature
    {
        public System.IO.Pipelines.PipeReader Reader { get; } = reader;
    }
}
