using Grpc.Core;
using Mapd.Client;

namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>What status a call ended with.</summary>
public static class Status
{
    /// <summary>Runs <paramref name="call"/> and returns its status code and message (OK when it succeeded).</summary>
    public static async Task<(StatusCode Code, string Message)> Of(Func<Task> call)
    {
        try
        {
            await call();
            return (StatusCode.OK, string.Empty);
        }
        catch (RpcException e)
        {
            return (e.StatusCode, e.Status.Detail);
        }
        catch (MapdException e)
        {
            return (e.Code, e.Message);
        }
    }

    /// <summary>A unique region name for one test.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 200)];
}
