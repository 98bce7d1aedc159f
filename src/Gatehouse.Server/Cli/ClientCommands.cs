using System.CommandLine;
using System.Text.Json;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Endpoints.Clients;
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
        var redirectUri = new Option<string[]>("--redirect-uri") { Description = "A sign-in redirect URI, exact (repeatable)." };
        var logoutUri = new Option<string[]>("--post-logout-redirect-uri") { Description = "Where to return after sign-out, exact (repeatable)." };
        var grantType = new Option<string[]>("--grant-type") { Description = "client_credentials (default), authorization_code, refresh_token (repeatable)." };
        grantType.AcceptOnlyFromAmong(GrantTypes.All);
        var isPublic = new Option<bool>("--public") { Description = "A public client (browser or mobile app): no secret, PKCE only." };
        var team = new Option<string?>("--team") { Description = "The team whose developers manage it in the dashboard." };
        var noConsent = new Option<bool>("--no-consent") { Description = "Trusted first-party client: sign-in asks no consent." };
        var resourceServer = new Option<bool>("--resource-server") { Description = "May read the revocation feed (an API's own client)." };
        var idTokenAlg = new Option<string?>("--id-token-alg") { Description = "ID token signing algorithm: ES256 (default) or RS256." };
        idTokenAlg.AcceptOnlyFromAmong(Tokens.SigningAlgorithms.All);
        var json = CliOutput.JsonOption();
        var command = new Command("create", "Register a client; prints its secret once.")
        {
            name, scope, audience, rateLimit, redirectUri, logoutUri, grantType, isPublic, team, noConsent, resourceServer, idTokenAlg, json,
        };
        command.SetAction(async (result, ct) =>
        {
            await using var context = CliContext.Create(result.GetValue(dataDir));
            var registration = new ClientRegistration(Name: result.GetValue(name), Scope: result.GetValue(scope),
                Audiences: result.GetValue(audience) is { Length: > 0 } audiences ? audiences : null,
                RateLimitPerSecond: result.GetValue(rateLimit),
                RedirectUris: NonEmpty(result.GetValue(redirectUri)),
                PostLogoutRedirectUris: NonEmpty(result.GetValue(logoutUri)),
                GrantTypes: NonEmpty(result.GetValue(grantType)),
                TokenEndpointAuthMethod: result.GetValue(isPublic) ? ClientAuthMethods.None : null,
                Team: result.GetValue(team),
                RequireConsent: result.GetValue(noConsent) ? false : null,
                ResourceServer: result.GetValue(resourceServer) ? true : null,
                IdTokenSignedResponseAlg: result.GetValue(idTokenAlg));
            var created = await context.Get<ClientManagement>().CreateAsync(registration, Actor.Cli(), ct);
            if (created.IsError) return CliOutput.Fail(created.Error.Description ?? created.Error.Code);
            var client = created.Value.Client;
            if (result.GetValue(json))
            {
                var view = (Dictionary<string, object?>)ManagementJson.View(client, withSecrets: false);
                view["client_secret"] = created.Value.Secret;
                view["secret_id"] = client.Secrets.Count > 0 ? client.Secrets[0].SecretId : null;
                CliOutput.WriteJson(view);
            }
            else
            {
                Console.WriteLine($"client_id:     {client.ClientId}");
                if (created.Value.Secret is { } secret)
                {
                    Console.WriteLine($"client_secret: {secret}");
                    Console.WriteLine($"secret_id:     {client.Secrets[0].SecretId}");
                }
                else Console.WriteLine("client_secret: none (public client: PKCE only)");
                Console.WriteLine($"scope:         {client.ScopeString}");
                Console.WriteLine($"audiences:     {string.Join(' ', client.Audiences)}");
                if (created.Value.Secret is not null) Console.WriteLine("The secret is shown this once; store it now.");
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

    internal static object View(Client c) => ManagementJson.View(c, withSecrets: false);

    internal static object DetailedView(Client c) => ManagementJson.View(c, withSecrets: true);

    private static string[]? NonEmpty(string[]? values) => values is { Length: > 0 } ? values : null;
}
