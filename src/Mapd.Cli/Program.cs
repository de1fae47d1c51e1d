using Mapd.Cli;
using Mapd.Cli.Daemon;
using Mapd.Cli.Output;

using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl-C cancels the call so mapctl still exits with its one-line error (or, for
    // watch, which Ctrl-C is meant to end, with 0); a second one, if the call ignores
    // cancellation, ends the process the usual way.
    e.Cancel = !interrupt.IsCancellationRequested;
    interrupt.Cancel();
};

var mapctl = new Mapctl(GrpcRegionService.ConnectAsync, Console.Out, Console.Error, AccountNames.Load);
return await mapctl.RunAsync(args, interrupt.Token);
