using System.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace Mapd.Server.Api.Wire;

/// <summary>
/// Discovers a service's methods from its generated <c>BindService</c>, as grpc-dotnet's default
/// provider does, but binds each with a request marshaller that answers a message which does not
/// parse with INVALID_ARGUMENT. It replaces the default for every service: Regions, health and
/// reflection alike keep their generated contract and can no longer answer bytes with UNKNOWN.
/// </summary>
internal sealed class CheckedServiceMethodProvider<TService> : IServiceMethodProvider<TService>
    where TService : class
{
    /// <inheritdoc />
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        var (bind, serviceBase) = FindBindMethod()
            ?? throw new InvalidOperationException($"{typeof(TService)} has no generated BindService([BindServiceMethod]); only services generated from a .proto are served");
        bind.Invoke(null, [new CheckedServiceBinder<TService>(context, serviceBase), null]);
    }

    private static (MethodInfo Bind, Type ServiceBase)? FindBindMethod()
    {
        for (var type = typeof(TService); type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is { } attribute)
            {
                var bind = attribute.BindType.GetMethod(attribute.BindMethodName, BindingFlags.Public | BindingFlags.Static, [typeof(ServiceBinderBase), type]);
                return bind is null ? null : (bind, type);
            }
        }

        return null;
    }
}
