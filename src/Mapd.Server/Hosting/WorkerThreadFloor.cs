namespace Mapd.Server.Hosting;

/// <summary>
/// Keeps at least <see cref="Workers"/> thread-pool workers ready. Kestrel frames and sends a
/// large reply (a List of everything: ~1 MB at 10,000 regions) on pool threads; with one worker
/// per CPU, an Open that arrives meanwhile waits in the pool's queue until the pool's slow
/// thread injection adds a worker. With the floor, Open p99 beside a loop of Lists went from
/// 2.0-2.6x to 1.4x of alone on the 2-vCPU VMs (docs/benchmarks.md); idle workers cost only
/// their stacks.
/// </summary>
internal static class WorkerThreadFloor
{
    /// <summary>The fewest workers the pool keeps.</summary>
    public const int Workers = 16;

    /// <summary>Raises the pool's minimum to <see cref="Workers"/>, never lowers it.</summary>
    public static void Apply()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        if (workers < Workers)
        {
            ThreadPool.SetMinThreads(Workers, completionPorts);
        }
    }
}
