using System.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;

namespace Mapd.Server.Api.Wire;

/// <summary>
/// Takes the methods a generated <c>BindService</c> declares and adds each to the endpoint model
/// with <see cref="CheckedRequests"/>' request marshaller, invoking <typeparamref name="TService"/>'s
/// override of it, as grpc-dotnet's own binder does with the generated marshaller.
/// </summary>
/// <param name="context">Where the methods go.</param>
/// <param name="serviceBase">The generated base class whose virtual methods the service overrides.</param>
internal sealed class CheckedServiceBinder<TService>(ServiceMethodProviderContext<TService> context, Type serviceBase) : ServiceBinderBase
    where TService : class
{
    /// <inheritdoc />
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
    {
        var (invoker, metadata) = Resolve<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(ServerCallContext));
        context.AddUnaryMethod(CheckedRequests.Of(method), metadata, invoker);
    }

    /// <inheritdoc />
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var (invoker, metadata) = Resolve<ServerStreamingServerMethod<TService, TRequest, TResponse>>(
            method.Name, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
        context.AddServerStreamingMethod(CheckedRequests.Of(method), metadata, invoker);
    }

    /// <inheritdoc />
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var (invoker, metadata) = Resolve<ClientStreamingServerMethod<TService, TRequest, TResponse>>(
            method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext));
        context.AddClientStreamingMethod(CheckedRequests.Of(method), metadata, invoker);
    }

    /// <inheritdoc />
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var (invoker, metadata) = Resolve<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(
            method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
        context.AddDuplexStreamingMethod(CheckedRequests.Of(method), metadata, invoker);
    }

    /// <summary>An open-instance delegate to the service's override, and the attributes that describe it.</summary>
    private (TDelegate Invoker, List<object> Metadata) Resolve<TDelegate>(string name, params Type[] parameters)
        where TDelegate : Delegate
    {
        var handler = FindOverride(name, parameters)
            ?? throw new InvalidOperationException($"{typeof(TService)} has no override of {serviceBase}.{name}");
        var metadata = new List<object>();
        metadata.AddRange(typeof(TService).GetCustomAttributes(inherit: true));
        metadata.AddRange(handler.GetCustomAttributes(inherit: true));
        metadata.Add(new HttpMethodMetadata(["POST"]));
        return ((TDelegate)Delegate.CreateDelegate(typeof(TDelegate), handler), metadata);
    }

    private MethodInfo? FindOverride(string name, Type[] parameters)
    {
        // A method of the same name that does not override the generated one hides it: look further down.
        for (var type = typeof(TService); type is not null; type = type.BaseType)
        {
            var method = type.GetMethod(name, BindingFlags.Public | BindingFlags.Instance, parameters);
            if (method is { IsVirtual: true } && method.GetBaseDefinition().DeclaringType == serviceBase)
            {
                return method;
            }
        }

        return null;
    }
}
