using System.Diagnostics;

namespace Mapd.Bench;

/// <summary>Starts this benchmark program again in another role (a client process, a peer), on the same runtime.</summary>
internal static class SelfCommand
{
    /// <summary>A start for <c>Mapd.Bench COMMAND</c>: through the same <c>dotnet</c> host when run as <c>dotnet Mapd.Bench.dll</c>, else this executable.</summary>
    public static ProcessStartInfo For(string command)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable this is");
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(SelfCommand).Assembly.Location);
        }

        start.ArgumentList.Add(command);
        start.Environment.Remove("MAPD_SOCKET_DIR");
        return start;
    }
}
