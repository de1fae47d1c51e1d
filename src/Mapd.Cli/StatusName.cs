using Grpc.Core;

namespace Mapd.Cli;

/// <summary>gRPC status codes as the contract and other gRPC tools spell them.</summary>
internal static class StatusName
{
    /// <summary><c>RESOURCE_EXHAUSTED</c> for <see cref="StatusCode.ResourceExhausted"/>, and so on.</summary>
    public static string Of(StatusCode code) =>
        string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? $"_{c}" : $"{char.ToUpperInvariant(c)}"));
}
