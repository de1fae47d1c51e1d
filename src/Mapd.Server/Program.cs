using Mapd.Server.Hosting;

return await DaemonProgram.RunAsync(args);
