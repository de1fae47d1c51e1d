using Mapd.Server;
using Mapd.Server.Hosting;

return await MapdHost.RunAsync(args);
