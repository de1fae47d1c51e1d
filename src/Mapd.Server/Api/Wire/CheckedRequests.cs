using Google.Protobuf;
using Grpc.Core;

namespace Mapd.Server.Api.Wire;

/// <summary>
/// Request marshallers that answer a message which does not parse with INVALID_ARGUMENT. grpc-dotnet
/// parses a request before any interceptor runs and answers a parser's exception with UNKNOWN
/// "Exception was thrown by handler." and an error logged with its stack trace; a parse failure
/// thrown as an <see cref="RpcException"/> is a status like any other.
/// </summary>
internal static class CheckedRequests
{
    /// <summary><paramref name="method"/> with a request marshaller that refuses what does not parse.</summary>
    public static Method<TRequest, TResponse> Of<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class
    {
        var parse = method.RequestMarshaller.ContextualDeserializer;
        var what = MessageName<TRequest>();
        var call = method.FullName;
        var marshaller = new Marshaller<TRequest>(method.RequestMarshaller.ContextualSerializer, context =>
        {
            try
            {
                return parse(context);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new RpcException(new Status(
                    StatusCode.InvalidArgument,
                    $"the request to {call} is not a {what} message ({e.Message}); encode it from the service's .proto, as a gRPC client library does",
                    e));
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, marshaller, method.ResponseMarshaller);
    }

    /// <summary>The protobuf name of a generated message type (<c>mapd.v1.CreateRequest</c>), else its .NET name.</summary>
    public static string MessageName<TMessage>() =>
        typeof(TMessage).GetConstructor(Type.EmptyTypes) is { } constructor && constructor.Invoke(null) is IMessage message
            ? message.Descriptor.FullName
            : typeof(TMessage).Name;
}
