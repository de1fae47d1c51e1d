using System.Text;
using Grpc.Core;

namespace Mapd.Protocol;

/// <summary>gRPC status codes as the gRPC specification (and the contract) spells them.</summary>
public static class StatusCodeName
{
    /// <summary><c>NOT_FOUND</c> for <see cref="StatusCode.NotFound"/>, <c>OK</c> for <see cref="StatusCode.OK"/>, and so on.</summary>
    public static string Of(StatusCode code)
    {
        var name = code.ToString();
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && char.IsLower(name[i - 1]))
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(name[i]));
        }

        return builder.ToString();
    }
}
