using System.Globalization;
using Grpc.Core;
using Mapd.Fuzz.Harness;
using Mapd.Protocol.V1;
using static Mapd.Fuzz.FindingException;

namespace Mapd.Fuzz.Targets;

/// <summary>
/// Requests as the daemon handles them, without the network: each input is a sequence of up to
/// <see cref="MaxCalls"/> calls, each a byte that picks the method, the caller and its session
/// header, a length byte and the request message's bytes. Each is parsed by the daemon's
/// marshaller and runs through <c>ErrorInterceptor</c> and <c>RegionsService</c> against the real
/// store (<c>RegionRules</c>, permissions, sessions, resizes). Every call must succeed or end with
/// a status the contract names, with a message; an exception of any other kind, or UNKNOWN or
/// INTERNAL, is a finding: the daemon would answer it UNKNOWN with a stack trace.
/// </summary>
public sealed class RequestsTarget : IFuzzTarget
{
    /// <summary>The most calls one input makes.</summary>
    public const int MaxCalls = 16;

    private static readonly HashSet<StatusCode> Refusals =
    [
        StatusCode.InvalidArgument, StatusCode.NotFound, StatusCode.AlreadyExists, StatusCode.PermissionDenied,
        StatusCode.ResourceExhausted, StatusCode.FailedPrecondition, StatusCode.DeadlineExceeded,
    ];

    private readonly DaemonCore _core;
    private readonly MethodTable _methods;

    /// <summary>Calls <paramref name="core"/>'s service.</summary>
    public RequestsTarget(DaemonCore core)
    {
        _core = core;
        _methods = new MethodTable(core.Interceptor);
        Regions.BindService(_methods, core.Service);
    }

    /// <summary>The methods an input's method byte picks from (its low four bits, modulo their count).</summary>
    public IReadOnlyList<FuzzMethod> Methods => _methods.Methods;

    /// <inheritdoc />
    public string Name => "requests";

    /// <summary>Where each call's outcome is written, when set (<c>MAPD_FUZZ_TRACE=1</c>), to see what an input does.</summary>
    public TextWriter? Trace { get; set; }

    /// <summary>One call's selector byte: method, caller (0 owner, 1 stranger, 2 root, 3 none), session header (0 own, 1 none, 2 another's, 3 malformed).</summary>
    public static byte Selector(int method, int caller, int header) => (byte)(method | (caller << 4) | (header << 6));

    /// <inheritdoc />
    public void Run(ReadOnlySpan<byte> input)
    {
        try
        {
            for (int position = 0, calls = 0; position < input.Length && calls < MaxCalls; calls++)
            {
                var selector = input[position++];
                var length = position < input.Length ? Math.Min(input[position++], input.Length - position) : 0;
                Call(selector, input.Slice(position, length).ToArray());
                position += length;
                _core.Settle();
            }
        }
        finally
        {
            _core.Reset();
        }
    }

    private void Call(byte selector, byte[] message)
    {
        var method = _methods.Methods[(selector & 0x0F) % _methods.Methods.Count];
        var peer = ((selector >> 4) & 3) switch
        {
            0 => _core.Owner,
            1 => _core.Stranger,
            2 => _core.Root,
            _ => null,
        };
        var headers = new Metadata();
        switch (selector >> 6)
        {
            case 0 when peer is not null:
                headers.Add("mapd-session", peer.Session.Id);
                break;
            case 2:
                headers.Add("mapd-session", (peer == _core.Stranger ? _core.Owner : _core.Stranger).Session.Id);
                break;
            case 3:
                headers.Add("mapd-session", "0123456789ABCDEF-not-a-session");
                break;
        }

        using var context = new FuzzCallContext(method.Name, peer?.Caller, headers);
        try
        {
            method.Call(message, context).GetAwaiter().GetResult();
            Trace?.WriteLine($"{method.Name} as {peer?.Caller.Uid.ToString(CultureInfo.InvariantCulture) ?? "nobody"}: OK");
        }
        catch (RpcException e)
        {
            Trace?.WriteLine($"{method.Name} as {peer?.Caller.Uid.ToString(CultureInfo.InvariantCulture) ?? "nobody"}: {e.StatusCode} {e.Status.Detail}");
            Require(!context.Cancelled || context.Left, $"{method.Name} still ran after {FuzzCallContext.Patience.TotalSeconds} s and answered {e.StatusCode}: a client would have waited on it");
            Require(Refusals.Contains(e.StatusCode) || (e.StatusCode == StatusCode.Cancelled && context.Left), $"{method.Name} answered {e.StatusCode}: {e.Status.Detail}");
            Require(e.Status.Detail.Length > 0, $"{method.Name} answered {e.StatusCode} without a message");
        }
        catch (OperationCanceledException) when (context.Left)
        {
            // A watch whose client left: grpc-dotnet ends such a call quietly.
            Trace?.WriteLine($"{method.Name} as {peer?.Caller.Uid.ToString(CultureInfo.InvariantCulture) ?? "nobody"}: watched until the client left");
        }
        catch (Exception e) when (e is not FindingException)
        {
            Require(!context.Cancelled || context.Left, $"{method.Name} still ran after {FuzzCallContext.Patience.TotalSeconds} s: a client would have waited on it ({e.GetType().Name})");
            throw new FindingException($"{method.Name} threw {e.GetType().Name}, which grpc-dotnet answers UNKNOWN with a stack trace: {e.Message}", e);
        }
    }
}
