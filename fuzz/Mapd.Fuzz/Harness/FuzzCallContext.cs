using Grpc.Core;
using Mapd.Server.Api;
using Mapd.Server.Peers;
using Microsoft.AspNetCore.Http;

namespace Mapd.Fuzz.Harness;

/// <summary>
/// A call as grpc-dotnet presents it to the interceptor and the service, without HTTP: its
/// method, request headers, and an HTTP context carrying the caller as the daemon's connection
/// middleware attaches it (reached through the "__HttpContext" user state, grpc-dotnet's
/// documented fallback). A streaming call's client leaves once its response headers are sent; any
/// call is cancelled after <see cref="Patience"/>, which no call should need.
/// </summary>
public sealed class FuzzCallContext : ServerCallContext, IDisposable
{
    private readonly string _method;
    private readonly Metadata _headers;
    private readonly CancellationTokenSource _leave = new(Patience);
    private readonly Dictionary<object, object> _state = [];

    /// <summary>A call to <paramref name="method"/> from <paramref name="caller"/> (none: not on the Unix socket).</summary>
    public FuzzCallContext(string method, CallerIdentity? caller, Metadata headers)
    {
        _method = method;
        _headers = headers;
        var http = new DefaultHttpContext();
        if (caller is not null)
        {
            http.Features.Set(new CallerFeature(caller));
        }

        _state["__HttpContext"] = http;
    }

    /// <summary>How long a call may take before its client gives up.</summary>
    public static TimeSpan Patience { get; } = TimeSpan.FromSeconds(2);

    /// <summary>True once the client has left after a streaming call's headers were sent.</summary>
    public bool Left { get; private set; }

    /// <summary>True once the client has left in any way (after the headers, or out of patience).</summary>
    public bool Cancelled => _leave.IsCancellationRequested;

    /// <inheritdoc />
    protected override string MethodCore => _method;

    /// <inheritdoc />
    protected override string HostCore => "localhost";

    /// <inheritdoc />
    protected override string PeerCore => "unix:";

    /// <inheritdoc />
    protected override DateTime DeadlineCore => DateTime.MaxValue;

    /// <inheritdoc />
    protected override Metadata RequestHeadersCore => _headers;

    /// <inheritdoc />
    protected override CancellationToken CancellationTokenCore => _leave.Token;

    /// <inheritdoc />
    protected override Metadata ResponseTrailersCore { get; } = [];

    /// <inheritdoc />
    protected override Status StatusCore { get; set; }

    /// <inheritdoc />
    protected override WriteOptions? WriteOptionsCore { get; set; }

    /// <inheritdoc />
    protected override AuthContext AuthContextCore { get; } = new(null, []);

    /// <inheritdoc />
    protected override IDictionary<object, object> UserStateCore => _state;

    /// <inheritdoc />
    public void Dispose() => _leave.Dispose();

    /// <inheritdoc />
    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException("the daemon propagates no calls");

    /// <inheritdoc />
    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders)
    {
        Left = true;
        _leave.Cancel();
        return Task.CompletedTask;
    }
}
