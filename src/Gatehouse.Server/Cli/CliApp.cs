using System.CommandLine;
using Gatehouse.Server.Hosting;

namespace Gatehouse.Server.Cli;

/// The one executable: `gatehouse` / `gatehouse serve` runs the server, the rest are admin commands.
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        // `--Gatehouse:Key=value` sets configuration for every command, as it does for the server,
        // so an admin command sees the same settings (pre-publication time, environment, ...).
        var overrides = args.Where(IsConfigurationOverride).ToArray();
        CliContext.ConfigurationOverrides = overrides
            .Select(a => a[2..].Split('=', 2))
            .Select(kv => new KeyValuePair<string, string?>(kv[0], kv[1]))
            .ToArray();
        args = args.Where(a => !IsConfigurationOverride(a)).ToArray();

        var dataDir = new Option<string?>("--data-dir") { Description = "Data directory (default ./data).", Recursive = true };
        var urls = new Option<string?>("--urls") { Description = "URLs to listen on (default http://localhost:5080)." };

        var serve = new Command("serve", "Run the authorization server. Any ASP.NET Core setting can follow as --Key=value.") { urls };
        serve.TreatUnmatchedTokensAsErrors = false;
        serve.SetAction((result, ct) => Serve(result, dataDir, urls, ct));

        var root = new RootCommand("Gatehouse: an OAuth 2.0 authorization server.") { dataDir, urls, serve };
        root.TreatUnmatchedTokensAsErrors = false;
        root.Subcommands.Add(ClientCommands.Build(dataDir));
        root.Subcommands.Add(UserCommands.Build(dataDir));
        root.Subcommands.Add(SecretCommands.Build(dataDir));
        root.Subcommands.Add(SecretCommands.BuildTokens(dataDir));
        root.Subcommands.Add(KeyCommands.Build(dataDir));
        root.Subcommands.Add(AuditCommand.Build(dataDir));
        root.Subcommands.Add(MigrateCommand.Build(dataDir));
        root.SetAction((result, ct) =>
        {
            // Bare `gatehouse` serves, but a mistyped command must not quietly start a server.
            var stray = result.UnmatchedTokens.FirstOrDefault(t => !t.StartsWith('-'));
            if (stray is not null && !result.UnmatchedTokens[0].StartsWith('-'))
                return Task.FromResult(CliOutput.Fail($"Unknown command '{stray}'. Try 'gatehouse --help'."));
            return Serve(result, dataDir, urls, ct);
        });

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0) return CliOutput.Fail(parsed.Errors[0].Message);
        // Only serving passes unknown tokens on (as ASP.NET Core settings); for an admin command they are mistakes.
        var command = parsed.CommandResult.Command;
        if (command != root && command != serve && parsed.UnmatchedTokens.Count > 0)
            return CliOutput.Fail($"Unrecognized argument '{parsed.UnmatchedTokens[0]}' for '{command.Name}'. Try '--help'.");
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (command != root && command != serve)
        {
            // An admin command that cannot reach its store (or meets a bug) says so in one line.
            return CliOutput.Fail($"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    private static bool IsConfigurationOverride(string arg) =>
        arg.StartsWith($"--{GatehouseOptions.Section}:", StringComparison.OrdinalIgnoreCase) && arg.Contains('=');

    private static Task<int> Serve(ParseResult result, Option<string?> dataDir, Option<string?> urls, CancellationToken ct)
    {
        var hostArgs = new List<string>(result.UnmatchedTokens);
        hostArgs.AddRange(CliContext.ConfigurationOverrides.Select(kv => $"--{kv.Key}={kv.Value}"));
        if (result.GetValue(dataDir) is { } dir) hostArgs.Add($"--{GatehouseOptions.Section}:DataDirectory={dir}");
        if (result.GetValue(urls) is { } u) hostArgs.Add($"--urls={u}");
        return ServerApp.RunAsync(hostArgs.ToArray(), ct);
    }
}
