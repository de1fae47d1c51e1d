using Mapd.Server.Hosting;
using Mapd.Server.Telemetry;

return args is [HealthProbe.Verb, ..] ? await HealthProbe.RunAsync(args[1..]) : await MapdHost.RunAsync(args);
