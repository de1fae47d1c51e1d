using BenchmarkDotNet.Running;

namespace Mapd.Bench.Leases;

/// <summary>
/// Runs the lease benchmarks: <c>dotnet run -c Release --project bench/Mapd.Bench.Leases</c>
/// (all of them), or pass BenchmarkDotNet options such as <c>--filter '*SingleThread*'</c>.
/// Needs the daemon built: <c>dotnet build -c Release src/Mapd.Server</c>.
/// </summary>
internal static class Program
{
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args);
}
