using System.Net.Sockets;
using Mapd.Server.Errors;
using Mapd.Server.Telemetry;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;

namespace Mapd.Server.Hosting;

/// <summary>
/// <c>mapd</c>'s entry point: help and version without touching sockets or storage, the
/// health probe, or the daemon; every way the daemon can fail to start ends in one line and
/// an exit status that says what kind of failure it was (<see cref="ExitCode"/>).
/// </summary>
public static class DaemonProgram
{
    /// <summary>Runs the command line; returns the process's exit status.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var command = DaemonCommandLine.Parse(args);
        switch (command.Verb)
        {
            case DaemonVerb.Help:
                await Console.Out.WriteAsync(DaemonUsage.Text());
                return (int)ExitCode.Success;
            case DaemonVerb.Version:
                await Console.Out.WriteLineAsync(DaemonUsage.VersionLine);
                return (int)ExitCode.Success;
            case DaemonVerb.Invalid:
                return FatalError.Report(command.Error!, ExitCode.Usage);
            case DaemonVerb.HealthCheck:
                return await HealthProbe.RunAsync([.. command.Settings]);
            default:
                return await ServeAsync([.. command.Settings]);
        }
    }

    private static async Task<int> ServeAsync(string[] settings)
    {
        try
        {
            WorkerThreadFloor.Apply();
            using var app = MapdHost.Build(settings);
            await app.RunAsync();
            return (int)ExitCode.Success;
        }
        catch (StartupException e)
        {
            return FatalError.Report(e.Message, e.ExitCode);
        }
        catch (IOException e) when (e.InnerException is AddressInUseException)
        {
            return FatalError.Report(
                $"{e.Message.TrimEnd('.')}: another process listens there (another mapd?); set Mapd:Metrics:Url to a free loopback port (port 0 picks one), or to empty to turn metrics off",
                ExitCode.Unavailable);
        }
        catch (IOException e) when (e.InnerException is SocketException or null)
        {
            return FatalError.Report(e.Message, ExitCode.Unavailable);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return FatalError.ReportBug(e);
        }
    }
}
