using System.Net;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Management;

/// Issue 3 "restart persistence of secrets, audit rows and revocations": what the management API changed is
/// in the store when its response returns, so a graceful stop and a SIGKILL both keep it.
public sealed class ManagementPersistenceTests
{
    static string SecretsSnapshot(JsonElement[] secrets) =>
        string.Join('\n', secrets.Select(s => $"{s.GetProperty("secret_id")} {s.GetProperty("created_at")} {s.GetProperty("revoked_at")}"));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Server_Restarted_KeepsSecretsAuditRowsAndRevocations(bool kill)
    {
        using var dataDirectory = new ScratchDirectory();
        var operatorClient = await ManagementTestClient.CreateOperatorClientAsync(dataDirectory.Path);
        var rotated = await GatehouseCli.CreateClientAsync(dataDirectory.Path, "rotated", scope: "decisions:read",
            rateLimit: GatehouseFixture.UnthrottledRateLimit);
        await using var server = await GatehouseProcess.StartAsync(dataDirectory.Path);
        var api = await ManagementTestClient.CreateAsync(server, operatorClient);
        var oauth = server.OAuth;

        // Secrets: B added and A revoked through the API; a client registered through the API.
        var (secretBId, secretBValue) = await api.AddSecretAsync(rotated.ClientId);
        var withB = rotated with { SecretId = secretBId, ClientSecret = secretBValue };
        OAuthAssert.Status(HttpStatusCode.NoContent, await api.DeleteAsync(ManagementPaths.Secret(rotated.ClientId, rotated.SecretId)));
        var registered = await api.RegisterAsync("registered", scope: "decisions:read", resourceServer: true);
        // Revocations: one token by jti, and a client-wide cut-off with a token on each side of it.
        var revokedToken = await oauth.GetAccessTokenAsync(registered);
        OAuthAssert.Status(HttpStatusCode.OK, await oauth.RevokeAsync(revokedToken, registered));
        var cutToken = await oauth.GetAccessTokenAsync(withB);
        ManagementAssert.Json(HttpStatusCode.OK, await api.DeleteAsync(ManagementPaths.Tokens(rotated.ClientId)));
        var keptToken = await oauth.GetAccessTokenAsync(withB);
        OAuthAssert.Inactive(await oauth.IntrospectAsync(revokedToken, registered));
        OAuthAssert.Inactive(await oauth.IntrospectAsync(cutToken, registered));

        var secretsBefore = SecretsSnapshot(await api.ListSecretsAsync(rotated.ClientId));
        var feedBefore = await api.RevocationFeedAsync(registered);
        RevocationFeedTests.AssertFeedPage(feedBefore, out _);
        var auditBefore = await api.AuditAsync();
        Assert.Contains(auditBefore, e => e.GetProperty("action").GetString() == "secret.revoked");

        await server.RestartAsync(kill);

        // Secrets: B works, A does not, the list is as it was.
        OAuthAssert.Status(HttpStatusCode.OK, await oauth.RequestTokenBasicAsync(withB));
        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", await oauth.RequestTokenBasicAsync(rotated));
        OAuthAssert.Status(HttpStatusCode.OK, await oauth.RequestTokenBasicAsync(registered));
        Assert.Equal(secretsBefore, SecretsSnapshot(await api.ListSecretsAsync(rotated.ClientId)));
        // Revocations: still inactive at introspection, still in the feed, unchanged.
        OAuthAssert.Inactive(await oauth.IntrospectAsync(revokedToken, registered));
        OAuthAssert.Inactive(await oauth.IntrospectAsync(cutToken, registered));
        OAuthAssert.Active(await oauth.IntrospectAsync(keptToken, registered));
        var feedAfter = await api.RevocationFeedAsync(registered);
        RevocationFeedTests.AssertFeedPage(feedAfter, out _);
        Assert.Equal(feedBefore.Json.GetProperty("revocations").GetRawText(), feedAfter.Json.GetProperty("revocations").GetRawText());
        Assert.Equal(feedBefore.Text("cursor"), feedAfter.Text("cursor"));
        // Audit rows: every one of them, unchanged, still first.
        var auditAfter = await api.AuditAsync();
        Assert.True(auditAfter.Count >= auditBefore.Count, $"{auditBefore.Count} audit entries before the restart, {auditAfter.Count} after.");
        Assert.Equal(auditBefore.Select(e => e.GetRawText()), auditAfter.Take(auditBefore.Count).Select(e => e.GetRawText()));
    }
}
