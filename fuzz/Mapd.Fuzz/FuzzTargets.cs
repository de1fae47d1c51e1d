using Mapd.Fuzz.Harness;
using Mapd.Fuzz.Targets;

namespace Mapd.Fuzz;

/// <summary>The fuzz targets by name, with the harness each needs, made only when asked for.</summary>
public sealed class FuzzTargets : IDisposable
{
    /// <summary>Every target's name, as <c>fuzz/run.sh</c> and <c>fuzz/corpus/</c> spell it.</summary>
    public static readonly IReadOnlyList<string> Names = ["session-frames", "metadata", "requests"];

    private DaemonCore? _core;
    private RecoveryBench? _bench;

    /// <summary>The target called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No target has that name.</exception>
    public IFuzzTarget Get(string name) => name switch
    {
        "session-frames" => new SessionFramesTarget(_core ??= new DaemonCore()),
        "metadata" => new MetadataTarget(_bench ??= new RecoveryBench()),
        "requests" => new RequestsTarget(_core ??= new DaemonCore()),
        _ => throw new ArgumentException($"no fuzz target '{name}'; the targets are {string.Join(", ", Names)}", nameof(name)),
    };

    /// <inheritdoc />
    public void Dispose()
    {
        _core?.Dispose();
        _bench?.Dispose();
    }
}
