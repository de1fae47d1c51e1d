using Microsoft.Extensions.Hosting;

namespace Mapd.Fuzz.Harness;

/// <summary>A daemon that is never stopping: requests are served, not refused with UNAVAILABLE.</summary>
internal sealed class FuzzLifetime : IHostApplicationLifetime
{
    /// <inheritdoc />
    public CancellationToken ApplicationStarted => CancellationToken.None;

    /// <inheritdoc />
    public CancellationToken ApplicationStopping => CancellationToken.None;

    /// <inheritdoc />
    public CancellationToken ApplicationStopped => CancellationToken.None;

    /// <inheritdoc />
    public void StopApplication()
    {
    }
}
