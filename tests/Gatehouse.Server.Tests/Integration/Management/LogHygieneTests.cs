using System.Net;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;
using Xunit.Abstractions;

namespace Gatehouse.Server.Tests.Integration.Management;

/// SPEC 5 "A secret's value is shown once, at creation, and never logged"; issue 3 "No secret value ever appears
/// there or in logs" and "a test that greps the server's captured logs for every secret and token it issued".
public sealed class LogHygieneTests(ITestOutputHelper output)
{
    /// Everything the session saw that must never reach a log.
    sealed class Secrets
    {
        public List<string> ClientSecrets { get; } = [];
        public List<string> AccessTokens { get; } = [];

        public CreatedClient Client(CreatedClient client)
        {
            ClientSecrets.Add(client.ClientSecret);
            return client;
        }

        public string Token(string token)
        {
            AccessTokens.Add(token);
            return token;
        }
    }

    /// The production default, and Debug everywhere (what an operator turns on to troubleshoot).
    [Theory]
    [InlineData("default")]
    [InlineData("Debug")]
    public async Task ServerLogs_AfterAFullManagementSession_ContainNoSecretAndNoToken(string logLevel)
    {
        using var dataDirectory = new ScratchDirectory();
        var seen = new Secrets();
        var operatorClient = seen.Client(await ManagementTestClient.CreateOperatorClientAsync(dataDirectory.Path));
        var cliClient = seen.Client(await GatehouseCli.CreateClientAsync(dataDirectory.Path, "hygiene-cli", scope: "decisions:read",
            rateLimit: GatehouseFixture.UnthrottledRateLimit));
        var settings = new Dictionary<string, string> { ["Gatehouse:RateLimits:FailedAuthenticationsPerMinute"] = "100000" };
        if (logLevel != "default")
        {
            settings["Logging:LogLevel:Default"] = logLevel;
            settings["Logging:LogLevel:Microsoft.AspNetCore"] = logLevel;
        }
        await using var server = await GatehouseProcess.StartAsync(dataDirectory.Path, settings);
        var api = await ManagementTestClient.CreateAsync(server, operatorClient);
        seen.Token(api.OperatorToken);
        var oauth = server.OAuth;

        // Clients: registered, changed; secrets added by the operator, by the client itself (Basic and post), by the CLI.
        var registered = seen.Client(await api.RegisterAsync("hygiene-api", scope: "decisions:read applications:read"));
        var (registered2Id, registered2) = await api.AddSecretAsync(registered.ClientId,
            OAuthTestClient.Basic(registered.ClientId, registered.ClientSecret));
        seen.ClientSecrets.Add(registered2);
        var secondOfRegistered = registered with { SecretId = registered2Id, ClientSecret = registered2 };
        var (cli2Id, cli2) = await api.AddSecretAsync(cliClient.ClientId);
        seen.ClientSecrets.Add(cli2);
        var bystander = seen.Client(await api.RegisterAsync("hygiene-bystander", resourceServer: true));
        var postAdded = await oauth.PostFormAsync(ManagementPaths.Secrets(bystander.ClientId),
            [new("client_id", bystander.ClientId), new("client_secret", bystander.ClientSecret)]);
        OAuthAssert.Status(HttpStatusCode.Created, postAdded);
        seen.ClientSecrets.Add(postAdded.Text("client_secret")!);
        var doomed = seen.Client(await api.RegisterAsync("hygiene-doomed"));
        var cliAdded = await GatehouseCli.RunAsync(dataDirectory.Path, "secrets", "add", doomed.ClientId, "--json");
        Assert.True(cliAdded.ExitCode == 0, cliAdded.ToString());
        var doomed2 = doomed with
        {
            SecretId = JsonDocument.Parse(cliAdded.Stdout).RootElement.GetProperty("secret_id").GetString()!,
            ClientSecret = JsonDocument.Parse(cliAdded.Stdout).RootElement.GetProperty("client_secret").GetString()!,
        };
        seen.ClientSecrets.Add(doomed2.ClientSecret);
        ManagementAssert.Json(HttpStatusCode.OK, await api.PatchAsync(ManagementPaths.Client(registered.ClientId), new { name = "hygiene-api-renamed" }));

        // Tokens: every secret, Basic and post, several audiences; introspected, revoked, revoked all at once.
        foreach (var client in new[] { registered, secondOfRegistered, cliClient, bystander })
        {
            seen.Token(await oauth.GetAccessTokenAsync(client));
            var posted = await oauth.RequestTokenPostAsync(client.ClientId, client.ClientSecret);
            OAuthAssert.Status(HttpStatusCode.OK, posted);
            seen.Token(posted.Text("access_token")!);
        }
        seen.Token(await oauth.GetAccessTokenAsync(cliClient with { SecretId = cli2Id, ClientSecret = cli2 }));
        await Eventually.Within(TimeSpan.FromSeconds(1), () => oauth.RequestTokenBasicAsync(doomed2), r => r.Status == HttpStatusCode.OK,
            "the CLI-added secret works");
        seen.Token(await oauth.GetAccessTokenAsync(doomed2));
        seen.Token(await oauth.GetAccessTokenAsync(operatorClient, audience: server.Issuer));
        foreach (var token in seen.AccessTokens.ToArray())
            OAuthAssert.Status(HttpStatusCode.OK, await oauth.IntrospectAsync(token, bystander));
        OAuthAssert.Status(HttpStatusCode.OK, await oauth.RevokeAsync(seen.AccessTokens[1], registered));
        OAuthAssert.Status(HttpStatusCode.OK, await oauth.RevokeAsync(seen.AccessTokens[2], bystander)); // someone else's: ignored, and logged
        ManagementAssert.Json(HttpStatusCode.OK, await api.DeleteAsync(ManagementPaths.Tokens(cliClient.ClientId)));
        foreach (var token in seen.AccessTokens.ToArray())
            OAuthAssert.Status(HttpStatusCode.OK, await oauth.IntrospectAsync(token, bystander));

        // Revocations and failures: revoked secret, wrong client for a real secret, deleted client, bad bearer.
        OAuthAssert.Status(HttpStatusCode.NoContent, await api.DeleteAsync(ManagementPaths.Secret(registered.ClientId, registered.SecretId)));
        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", await oauth.RequestTokenBasicAsync(registered));
        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client",
            await oauth.RequestTokenBasicAsync(bystander.ClientId, registered2));
        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client",
            await oauth.RequestTokenPostAsync(cliClient.ClientId, registered.ClientSecret));
        OAuthAssert.Status(HttpStatusCode.NoContent, await api.DeleteAsync(ManagementPaths.Client(doomed.ClientId)));
        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", await oauth.RequestTokenBasicAsync(doomed2));
        ManagementAssert.Problem(HttpStatusCode.Unauthorized, "invalid_token",
            await api.GetAsync(ManagementPaths.Clients, ManagementTestClient.Bearer(seen.AccessTokens[1])));
        ManagementAssert.Problem(HttpStatusCode.Forbidden, "insufficient_scope",
            await api.GetAsync(ManagementPaths.Clients, ManagementTestClient.Bearer(seen.AccessTokens[7])));
        ManagementAssert.Problem(HttpStatusCode.Unauthorized, "invalid_client",
            await api.GetAsync(ManagementPaths.Secrets(bystander.ClientId), OAuthTestClient.Basic(bystander.ClientId, registered.ClientSecret)));
        RevocationFeedTests.AssertFeedPage(await api.RevocationFeedAsync(bystander), out _);
        ManagementAssert.Json(HttpStatusCode.OK, await api.GetAsync($"{ManagementPaths.Audit}?limit=1000"));

        await server.StopAsync(); // every line flushed
        var logs = server.Logs;

        output.WriteLine($"{seen.ClientSecrets.Count} secrets, {seen.AccessTokens.Count} tokens; {logs.Split('\n').Length} log lines.");
        Assert.Contains("listening", logs, StringComparison.OrdinalIgnoreCase); // the capture works
        Assert.DoesNotContain("cc_secret_", logs);
        foreach (var secret in seen.ClientSecrets.Distinct())
        {
            Assert.False(logs.Contains(secret, StringComparison.Ordinal), $"A client secret is in the server's logs: {Excerpt(logs, secret)}");
            var randomPart = secret[(secret.IndexOf('_', "cc_secret_".Length) + 1)..];
            Assert.False(logs.Contains(randomPart, StringComparison.Ordinal), $"A client secret's random part is in the logs: {Excerpt(logs, randomPart)}");
        }
        foreach (var token in seen.AccessTokens.Distinct())
        {
            Assert.False(logs.Contains(token, StringComparison.Ordinal), $"An access token is in the server's logs: {Excerpt(logs, token)}");
            var signature = token[(token.LastIndexOf('.') + 1)..];
            Assert.False(logs.Contains(signature, StringComparison.Ordinal), $"An access token's signature is in the logs: {Excerpt(logs, signature)}");
            var payload = token.Split('.')[1];
            Assert.False(logs.Contains(payload, StringComparison.Ordinal), $"An access token's payload is in the logs: {Excerpt(logs, payload)}");
        }
    }

    static string Excerpt(string logs, string value)
    {
        var index = logs.IndexOf(value, StringComparison.Ordinal);
        if (index < 0) return "";
        var lineStart = logs.LastIndexOf('\n', Math.Max(0, index)) + 1;
        var lineEnd = logs.IndexOf('\n', index);
        return logs[lineStart..(lineEnd < 0 ? logs.Length : lineEnd)].Replace(value, "<redacted>");
    }
}
