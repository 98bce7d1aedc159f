using System.CommandLine;
using System.Text.Json;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Storage;

namespace Gatehouse.Server.Cli;

/// gatehouse clients create|list|show|delete
internal static class ClientCommands
{
    public static Command Build(Option<string?> dataDir)
    {
        var clients = new Command("clients", "Register, inspect and delete clients.");
        clients.Subcommands.Add(Create(dataDir));
        clients.Subcommands.Add(List(dataDir));
        clients.Subcommands.Add(Show(dataDir));
        clients.Subcommands.Add(Delete(dataDir));
        return clients;
    }

    private static Command Create(Option<string?> dataDir)
    {
        var name = new Option<string>("--name") { Description = "A name people recognise.", Required = true };
        var scope = new Option<string?>("--scope") { Description = "Space-separated scopes granted (default: the partner catalogue)." };
        var audience = new Option<string[]>("--audience") { Description = "An audience the client may request (repeatable; default partner/v1)." };
        var rateLimit = new Option<int?>("--rate-limit") { Description = "Token requests per second (default: the server's)." };
        var json = CliOutput.JsonOption();
        var command = new Command("create", "Register a client; prints its secret once.") { name, scope, audience, rateLimit, json };
        command.SetAction(async (result, ct) =>
        {
            await using var context = CliContext.Create(result.GetValue(dataDir));
            var registration = new ClientRegistration(Name: result.GetValue(name), Scope: result.GetValue(scope),
                Audiences: result.GetValue(audience) is { Length: > 0 } audiences ? audiences : null,
                RateLimitPerSecond: result.GetValue(rateLimit));
            var created = await context.Get<ClientManagement>().CreateAsync(registration, Actor.Cli(), ct);
            if (created.IsError) return CliOutput.Fail(created.Error.Description ?? created.Error.Code);
            var client = created.Value.Client;
            if (result.GetValue(json))
            {
                CliOutput.WriteJson(new
                {
                    client_id = client.ClientId,
                    client_secret = created.Value.Secret,
                    secret_id = client.Secrets[0].SecretId,
                    name = client.Name,
                    scope = client.ScopeString,
                    audiences = client.Audiences,
                    rate_limit = client.RateLimitPerSecond,
                    created_at = client.CreatedAt,
                });
            }
            else
            {
                Console.WriteLine($"client_id:     {client.ClientId}");
                Console.WriteLine($"client_secret: {created.Value.Secret}");
                Console.WriteLine($"secret_id:     {client.Secrets[0].SecretId}");
                Console.WriteLine($"scope:         {client.ScopeString}");
                Console.WriteLine($"audiences:     {string.Join(' ', client.Audiences)}");
                Console.WriteLine("The secret is shown this once; store it now.");
            }
            return 0;
        });
        return command;
    }

    private static Command List(Option<string?> dataDir)
    {
        var json = CliOutput.JsonOption();
        var command = new Command("list", "List clients.") { json };
        command.SetAction(async (result, ct) =>
        {
            await using var context = CliContext.Create(result.GetValue(dataDir));
            var all = await context.Get<IClientStore>().LoadAllAsync(ct);
            if (result.GetValue(json)) CliOutput.WriteJson(all.Select(View).ToArray());
            else foreach (var c in all) Console.WriteLine($"{c.ClientId}  {c.Name}  [{c.ScopeString}]  {string.Join(',', c.Audiences)}");
            return 0;
        });
        return command;
    }

    private static Command Show(Option<string?> dataDir)
    {
        var id = new Argument<string>("client-id") { Description = "The client's id." };
        var json = CliOutput.JsonOption();
        var command = new Command("show", "Show one client and its secrets (never their values).") { id, json };
        command.SetAction(async (result, ct) =>
        {
            await using var context = CliContext.Create(result.GetValue(dataDir));
            var client = await context.Get<IClientStore>().FindAsync(result.GetValue(id)!, ct);
            if (client is null) return CliOutput.Fail($"No client '{result.GetValue(id)}'.");
            if (result.GetValue(json)) CliOutput.WriteJson(DetailedView(client));
            else Console.WriteLine(JsonSerializer.Serialize(DetailedView(client), new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return command;
    }

    private static Command Delete(Option<string?> dataDir)
    {
        var id = new Argument<string>("client-id") { Description = "The client's id." };
        var command = new Command("delete", "Delete a client: its secrets stop working and its tokens become inactive.") { id };
        command.SetAction(async (result, ct) =>
        {
            await using var context = CliContext.Create(result.GetValue(dataDir));
            var deleted = await context.Get<ClientManagement>().DeleteAsync(result.GetValue(id)!, Actor.Cli(), ct);
            if (deleted.IsError) return CliOutput.Fail(deleted.Error.Description!);
            Console.WriteLine($"Deleted {result.GetValue(id)}.");
            return 0;
        });
        return command;
    }

    internal static object View(Client c) => new
    {
        client_id = c.ClientId,
        name = c.Name,
        scope = c.ScopeString,
        audiences = c.Audiences,
        grant_types = c.GrantTypes,
        rate_limit = c.RateLimitPerSecond,
        created_at = c.CreatedAt,
    };

    internal static object DetailedView(Client c) => new
    {
        client_id = c.ClientId,
        name = c.Name,
        scope = c.ScopeString,
        audiences = c.Audiences,
        grant_types = c.GrantTypes,
        rate_limit = c.RateLimitPerSecond,
        created_at = c.CreatedAt,
        secrets = c.Secrets.Select(s => new { secret_id = s.SecretId, created_at = s.CreatedAt, last_used_at = s.LastUsedAt, revoked_at = s.RevokedAt }),
    };
}
