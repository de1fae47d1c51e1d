using Grpc.AspNetCore.Server.Model;
using Mapd.Server.Peers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Mapd.Server.Api.Wire;

/// <summary>Adds <see cref="MalformedCallMiddleware"/>.</summary>
internal static class MalformedCallExtensions
{
    /// <summary>Registers what the middleware needs and replaces grpc-dotnet's method binding with <see cref="CheckedServiceMethodProvider{TService}"/>; call after <c>AddGrpc</c>.</summary>
    public static IServiceCollection AddMalformedCallHandling(this IServiceCollection services)
    {
        services.AddSingleton(sp => new PeerLogThrottle<(uint Uid, int Pid)>(sp.GetRequiredService<TimeProvider>(), crowd: (uint.MaxValue, -1)));
        ReplaceMethodProvider(services);
        return services;
    }

    /// <summary>Adds the middleware; it must run after routing has chosen the endpoint.</summary>
    public static IApplicationBuilder UseMalformedCallHandling(this IApplicationBuilder app) => app.UseMiddleware<MalformedCallMiddleware>();

    /// <summary>Puts <see cref="CheckedServiceMethodProvider{TService}"/> in the place of grpc-dotnet's own provider.</summary>
    private static void ReplaceMethodProvider(IServiceCollection services)
    {
        var defaults = services
            .Where(s => s.ServiceType == typeof(IServiceMethodProvider<>) && s.ImplementationType?.Assembly == typeof(IServiceMethodProvider<>).Assembly)
            .ToList();
        if (defaults.Count == 0)
        {
            throw new InvalidOperationException("grpc-dotnet's default service method provider is not registered; call AddGrpc first (or Grpc.AspNetCore changed how it binds services)");
        }

        foreach (var registration in defaults)
        {
            services.Remove(registration);
        }

        services.AddSingleton(typeof(IServiceMethodProvider<>), typeof(CheckedServiceMethodProvider<>));
    }
}
