using System.CommandLine;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Storage;

namespace Gatehouse.Server.Cli;

/// gatehouse secrets add|list|revoke CLIENT_ID, and gatehouse tokens revoke-all CLIENT_ID
internal static class SecretCommands
{
    public static Command Build(Option<string?> dataDir)
    {
        var secrets = new Command("secrets", "Rotate a client's secrets (at most two live at once).");
        secrets.Subcommands.Add(Add(dataDir));
        secrets.Subcommands.Add(List(dataDir));
        secrets.Subcommands.Add(Revoke(dataDir));
        return secrets;
    }

    public static Command BuildTokens(Option<string?> dataDir)
    {
        var clientId = ClientIdArgument();
        var json = CliOutput.JsonOption();
        var revokeAll = new Command("revoke-all", "Revoke every token issued to a client until now.") { clientId, json };
        revokeAll.SetAction(async (result, ct) =>
        {
            await using var context = CliContext.Create(result.GetValue(dataDir));
            var revoked = await context.Get<ClientManagement>().RevokeAllTokensAsync(result.GetValue(clientId)!, Actor.Cli(), ct);
            if (revoked.IsError) return CliOutput.Fail(revoked.Error.Description!);
            var before = DateTimeOffset.UnixEpoch.AddTicks(revoked.Value * 10);
            if (result.GetValue(json)) CliOutput.WriteJson(new { client_id = result.GetValue(clientId), revoked_before = before, revoked_before_us = revoked.Value });
            else Console.WriteLine($"Every token of {result.GetValue(clientId)} issued before {before:O} is revoked.");
            return 0;
        });
        var tokens = new Command("tokens", "Revoke a client's tokens.");
        tokens.Subcommands.Add(revokeAll);
        return tokens;
    }

    private static Command Add(Option<string?> dataDir)
    {
        var clientId = ClientIdArgument();
        var json = CliOutput.JsonOption();
        var command = new Command("add", "Add a secret; prints its value once.") { clientId, json };
        command.SetAction(async (result, ct) =>
        {
            await using var context = CliContext.Create(result.GetValue(dataDir));
            var added = await context.Get<ClientManagement>().AddSecretAsync(result.GetValue(clientId)!, Actor.Cli(), ct);
            if (added.IsError) return CliOutput.Fail(added.Error.Description!);
            if (result.GetValue(json))
                CliOutput.WriteJson(new { secret_id = added.Value.Secret.SecretId, client_secret = added.Value.Value, created_at = added.Value.Secret.CreatedAt });
            else
            {
                Console.WriteLine($"secret_id:     {added.Value.Secret.SecretId}");
                Console.WriteLine($"client_secret: {added.Value.Value}");
                Console.WriteLine("The secret is shown this once; store it now.");
            }
            return 0;
        });
        return command;
    }

    private static Command List(Option<string?> dataDir)
    {
        var clientId = ClientIdArgument();
        var json = CliOutput.JsonOption();
        var command = new Command("list", "List a client's secrets: ids and times, never values.") { clientId, json };
        command.SetAction(async (result, ct) =>
        {
            await using var context = CliContext.Create(result.GetValue(dataDir));
            var client = await context.Get<IClientStore>().FindAsync(result.GetValue(clientId)!, ct);
            if (client is null) return CliOutput.Fail($"No client '{result.GetValue(clientId)}'.");
            var rows = client.Secrets.Select(s => new { secret_id = s.SecretId, created_at = s.CreatedAt, last_used_at = s.LastUsedAt, revoked_at = s.RevokedAt }).ToArray();
            if (result.GetValue(json)) CliOutput.WriteJson(rows);
            else foreach (var r in rows)
                Console.WriteLine($"{r.secret_id}  created {r.created_at:u}  last used {(r.last_used_at is { } u ? u.ToString("u") : "never")}  {(r.revoked_at is { } v ? "revoked " + v.ToString("u") : "live")}");
            return 0;
        });
        return command;
    }

    private static Command Revoke(Option<string?> dataDir)
    {
        var clientId = ClientIdArgument();
        var secretId = new Argument<string>("secret-id") { Description = "The secret's id (sec_…)." };
        var command = new Command("revoke", "Revoke a secret at once; tokens minted with it stay valid until they expire.") { clientId, secretId };
        command.SetAction(async (result, ct) =>
        {
            await using var context = CliContext.Create(result.GetValue(dataDir));
            var revoked = await context.Get<ClientManagement>().RevokeSecretAsync(result.GetValue(clientId)!, result.GetValue(secretId)!, Actor.Cli(), ct);
            if (revoked.IsError) return CliOutput.Fail(revoked.Error.Description!);
            Console.WriteLine($"Revoked {result.GetValue(secretId)}.");
            return 0;
        });
        return command;
    }

    private static Argument<string> ClientIdArgument() => new("client-id") { Description = "The client's id." };
}
