using Gatehouse.Server.Cli;

return await CliApp.RunAsync(args);
