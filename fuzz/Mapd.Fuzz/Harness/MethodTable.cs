using Google.Protobuf;
using Grpc.Core;
using Mapd.Server.Api;
using Mapd.Server.Api.Wire;

namespace Mapd.Fuzz.Harness;

/// <summary>
/// The methods of a service as its generated <c>BindService</c> declares them, each as the
/// daemon runs it: the request parsed by <see cref="CheckedRequests"/>' marshaller, then the
/// interceptor, then the service; the response serialized as it would be sent.
/// </summary>
public sealed class MethodTable(ErrorInterceptor interceptor) : ServiceBinderBase
{
    private readonly List<FuzzMethod> _methods = [];

    /// <summary>The methods, in the order the service declares them.</summary>
    public IReadOnlyList<FuzzMethod> Methods => _methods;

    /// <inheritdoc />
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var parse = CheckedRequests.Of(method).RequestMarshaller.ContextualDeserializer;
        _methods.Add(new FuzzMethod(method.FullName, async (payload, context) =>
        {
            var response = await interceptor.UnaryServerHandler(parse(new Payload(payload)), context, handler);
            Serialize(response);
        }));
    }

    /// <inheritdoc />
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var parse = CheckedRequests.Of(method).RequestMarshaller.ContextualDeserializer;
        _methods.Add(new FuzzMethod(method.FullName, (payload, context) =>
            interceptor.ServerStreamingServerHandler(parse(new Payload(payload)), new SerializingWriter<TResponse>(), context, handler)));
    }

    private static void Serialize(object? response)
    {
        FindingException.Require(response is IMessage, $"a handler answered {response?.GetType().Name ?? "null"}, which grpc-dotnet cannot send");
        ((IMessage)response!).ToByteArray();
    }

    private sealed class SerializingWriter<TResponse> : IServerStreamWriter<TResponse>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(TResponse message)
        {
            Serialize(message);
            return Task.CompletedTask;
        }
    }
}
