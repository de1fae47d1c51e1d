namespace Mapd.Server.Api.Wire;

/// <summary>
/// Marks a call that reached <see cref="ErrorInterceptor"/>, which then owns its status, count and
/// log line; <see cref="MalformedCallMiddleware"/> answers for every other call that fails.
/// </summary>
internal sealed class AdmittedCallFeature
{
    /// <summary>The one instance: the feature carries no state but its presence.</summary>
    public static readonly AdmittedCallFeature Instance = new();

    private AdmittedCallFeature()
    {
    }
}
