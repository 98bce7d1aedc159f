using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Management;

public sealed class ClientSecretsEndpointFixture : ManagementFixture;

/// Issue 3 and seed 002 "Rotating client secrets": GET|POST /oauth/clients/{id}/secrets and
/// DELETE /oauth/clients/{id}/secrets/{secret_id}, by the operator or by the client itself.
public sealed class ClientSecretsEndpointTests(ClientSecretsEndpointFixture fixture) : IClassFixture<ClientSecretsEndpointFixture>
{
    static readonly string[] SecretProperties = ["secret_id", "created_at", "last_used_at", "revoked_at"];

    ManagementTestClient Api => fixture.Api;
    OAuthTestClient OAuth => fixture.OAuth;

    Task<CreatedClient> NewClientAsync(string name) => Api.RegisterAsync($"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)], scope: "decisions:read");

    static AuthenticationHeaderValue BasicOf(CreatedClient client) => OAuthTestClient.Basic(client.ClientId, client.ClientSecret);

    static CreatedClient WithSecret(CreatedClient client, string secretId, string secret) =>
        client with { SecretId = secretId, ClientSecret = secret };

    /// The secrets list: status, headers, exact shape, and never a value.
    static JsonElement[] AssertSecretsList(OAuthResponse response, params string[] secretValuesThatMustNotAppear)
    {
        ManagementAssert.Json(HttpStatusCode.OK, response);
        ManagementAssert.ExactProperties(response.Json, "secrets");
        var secrets = OAuthAssert.Property(response.Json, "secrets").EnumerateArray().ToArray();
        foreach (var secret in secrets)
        {
            ManagementAssert.ExactProperties(secret, SecretProperties);
            OAuthAssert.StringProperty(secret, "secret_id");
            Assert.NotNull(ManagementAssert.Time(secret, "created_at"));
            ManagementAssert.Time(secret, "last_used_at");
            ManagementAssert.Time(secret, "revoked_at");
        }
        Assert.DoesNotContain("cc_secret_", response.Body);
        foreach (var value in secretValuesThatMustNotAppear) Assert.DoesNotContain(value, response.Body);
        return secrets;
    }

    /// The secrets as far as a refused request could change them: ids, creation and revocation (a self-service
    /// caller's own secret legitimately gets a new last_used_at by authenticating).
    async Task<string> SecretsSnapshotAsync(string clientId) =>
        string.Join("\n", (await Api.ListSecretsAsync(clientId)).Select(s =>
            $"{s.GetProperty("secret_id")} {s.GetProperty("created_at")} {s.GetProperty("revoked_at")}"));

    static JsonElement Find(JsonElement[] secrets, string secretId) =>
        Assert.Single(secrets, s => s.GetProperty("secret_id").GetString() == secretId);

    static void AssertSecretCreated(OAuthResponse response)
    {
        ManagementAssert.Json(HttpStatusCode.Created, response);
        ManagementAssert.ExactProperties(response.Json, "secret_id", "client_secret", "created_at");
        Assert.StartsWith("cc_secret_sandbox_", response.Text("client_secret"));
        ManagementAssert.Near(DateTimeOffset.UtcNow, ManagementAssert.Time(response.Json, "created_at"), TimeSpan.FromMinutes(1), "created_at");
    }

    [Fact]
    public async Task Secrets_ListAsOperator_ShowsIdsAndTimesButNeverAValue()
    {
        var client = await NewClientAsync("list-operator");

        var response = await Api.GetAsync(ManagementPaths.Secrets(client.ClientId));

        var secret = Assert.Single(AssertSecretsList(response, client.ClientSecret));
        Assert.Equal(client.SecretId, OAuthAssert.StringProperty(secret, "secret_id"));
        Assert.Null(ManagementAssert.Time(secret, "last_used_at"));
        Assert.Null(ManagementAssert.Time(secret, "revoked_at"));
    }

    [Fact]
    public async Task Secrets_ListSelfServiceViaBasic_Returns200()
    {
        var client = await NewClientAsync("list-self");

        var response = await Api.GetAsync(ManagementPaths.Secrets(client.ClientId), BasicOf(client));

        var secret = Assert.Single(AssertSecretsList(response, client.ClientSecret));
        Assert.Equal(client.SecretId, OAuthAssert.StringProperty(secret, "secret_id"));
    }

    [Fact]
    public async Task Secrets_AddAsOperator_Returns201WithTheValueOnceAndBothSecretsAuthenticate()
    {
        var client = await NewClientAsync("add-operator");

        var response = await Api.PostAsync(ManagementPaths.Secrets(client.ClientId));

        AssertSecretCreated(response);
        var second = WithSecret(client, response.Text("secret_id")!, response.Text("client_secret")!);
        Assert.NotEqual(client.SecretId, second.SecretId);
        OAuthAssert.Status(HttpStatusCode.OK, await OAuth.RequestTokenBasicAsync(client));
        OAuthAssert.Status(HttpStatusCode.OK, await OAuth.RequestTokenBasicAsync(second));
        var secrets = AssertSecretsList(await Api.GetAsync(ManagementPaths.Secrets(client.ClientId)), client.ClientSecret, second.ClientSecret);
        Assert.Equal(2, secrets.Length);
        Assert.Null(ManagementAssert.Time(Find(secrets, second.SecretId), "revoked_at"));
    }

    [Fact]
    public async Task Secrets_AddSelfServiceViaBasic_Returns201()
    {
        var client = await NewClientAsync("add-basic");

        var response = await Api.PostAsync(ManagementPaths.Secrets(client.ClientId), null, BasicOf(client));

        AssertSecretCreated(response);
        OAuthAssert.Status(HttpStatusCode.OK,
            await OAuth.RequestTokenBasicAsync(WithSecret(client, response.Text("secret_id")!, response.Text("client_secret")!)));
        Assert.Equal(2, (await Api.ListSecretsAsync(client.ClientId)).Length);
    }

    /// RFC 6749 §2.3.1 client_secret_post, as at the token endpoint.
    [Fact]
    public async Task Secrets_AddSelfServiceViaPostBody_Returns201()
    {
        var client = await NewClientAsync("add-post");

        var response = await OAuth.PostFormAsync(ManagementPaths.Secrets(client.ClientId),
            [new("client_id", client.ClientId), new("client_secret", client.ClientSecret)]);

        AssertSecretCreated(response);
        OAuthAssert.Status(HttpStatusCode.OK,
            await OAuth.RequestTokenBasicAsync(WithSecret(client, response.Text("secret_id")!, response.Text("client_secret")!)));
        Assert.Equal(2, (await Api.ListSecretsAsync(client.ClientId)).Length);
    }

    /// Seed 002's whole roll, done by the client itself: add B with A, revoke A with B.
    [Fact]
    public async Task Secrets_RevokeSelfService_Returns204AndTheSecretStopsAuthenticatingAtOnce()
    {
        var client = await NewClientAsync("roll-self");
        var (secretId, value) = await Api.AddSecretAsync(client.ClientId, BasicOf(client));
        var next = WithSecret(client, secretId, value);

        var response = await Api.DeleteAsync(ManagementPaths.Secret(client.ClientId, client.SecretId), BasicOf(next));

        OAuthAssert.Status(HttpStatusCode.NoContent, response);
        OAuthAssert.NoStore(response);
        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", await OAuth.RequestTokenBasicAsync(client));
        OAuthAssert.Status(HttpStatusCode.OK, await OAuth.RequestTokenBasicAsync(next));
        var secrets = AssertSecretsList(await Api.GetAsync(ManagementPaths.Secrets(client.ClientId)));
        ManagementAssert.Near(DateTimeOffset.UtcNow, ManagementAssert.Time(Find(secrets, client.SecretId), "revoked_at"),
            TimeSpan.FromMinutes(1), "revoked_at of the old secret");
        Assert.Null(ManagementAssert.Time(Find(secrets, next.SecretId), "revoked_at"));
        // A revoked secret is no credential for self-service either.
        ManagementAssert.Problem(HttpStatusCode.Unauthorized, "invalid_client",
            await Api.GetAsync(ManagementPaths.Secrets(client.ClientId), BasicOf(client)));
    }

    [Fact]
    public async Task Secrets_RevokeAsOperator_Returns204AndTokensMintedWithItStayActive()
    {
        var client = await NewClientAsync("revoke-operator");
        await Api.AddSecretAsync(client.ClientId);
        var minted = await OAuth.GetAccessTokenAsync(client);

        var response = await Api.DeleteAsync(ManagementPaths.Secret(client.ClientId, client.SecretId));

        OAuthAssert.Status(HttpStatusCode.NoContent, response);
        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", await OAuth.RequestTokenBasicAsync(client));
        OAuthAssert.Active(await OAuth.IntrospectAsync(minted, fixture.Partner)); // seed 002: valid until it expires
    }

    [Theory]
    [InlineData("operator")]
    [InlineData("self-service")]
    public async Task Secrets_ThirdLiveSecret_Returns409ConflictAndAddsNothing(string caller)
    {
        var client = await NewClientAsync("third");
        await Api.AddSecretAsync(client.ClientId);
        var before = await SecretsSnapshotAsync(client.ClientId);

        var response = await Api.PostAsync(ManagementPaths.Secrets(client.ClientId), null,
            caller == "operator" ? null : BasicOf(client));

        ManagementAssert.Problem(HttpStatusCode.Conflict, "conflict", response);
        Assert.DoesNotContain("cc_secret_", response.Body);
        Assert.Equal(before, await SecretsSnapshotAsync(client.ClientId));
        Assert.Equal(2, (await Api.ListSecretsAsync(client.ClientId)).Length);
    }

    /// Two live at most; a revoked secret does not count.
    [Fact]
    public async Task Secrets_AddAfterRevokingOneOfTwo_Returns201()
    {
        var client = await NewClientAsync("two-live");
        var (secondId, _) = await Api.AddSecretAsync(client.ClientId);
        OAuthAssert.Status(HttpStatusCode.NoContent, await Api.DeleteAsync(ManagementPaths.Secret(client.ClientId, client.SecretId)));

        var response = await Api.PostAsync(ManagementPaths.Secrets(client.ClientId));

        AssertSecretCreated(response);
        var secrets = await Api.ListSecretsAsync(client.ClientId);
        Assert.Equal(3, secrets.Length);
        Assert.Equal(2, secrets.Count(s => s.GetProperty("revoked_at").ValueKind == JsonValueKind.Null));
        Assert.Null(ManagementAssert.Time(Find(secrets, secondId), "revoked_at"));
    }

    /// Issue 3 "another client's secrets: 404 (do not reveal existence)": another client's id answers exactly
    /// as an id that does not exist, and nothing of the other client changes.
    [Theory]
    [InlineData("GET", "/secrets")]
    [InlineData("POST", "/secrets")]
    [InlineData("DELETE", "/secrets/{secret}")]
    [InlineData("DELETE", "/tokens")]
    public async Task Secrets_AnotherClientsId_Returns404ExactlyLikeAnUnknownId(string method, string suffix)
    {
        var caller = await NewClientAsync("nosy");
        var victim = await NewClientAsync("victim");
        var victimToken = await OAuth.GetAccessTokenAsync(victim);
        var victimBefore = (await Api.GetAsync(ManagementPaths.Client(victim.ClientId))).Body;
        const string ghostId = "cc_client_ghost0000000000000000";
        string PathFor(string clientId) => ManagementPaths.Client(clientId) + suffix.Replace("{secret}", victim.SecretId);

        var foreign = await Api.SendRawAsync(new HttpMethod(method), PathFor(victim.ClientId), BasicOf(caller));
        var unknown = await Api.SendRawAsync(new HttpMethod(method), PathFor(ghostId), BasicOf(caller));

        ManagementAssert.Problem(HttpStatusCode.NotFound, "not_found", foreign);
        ManagementAssert.Problem(HttpStatusCode.NotFound, "not_found", unknown);
        Assert.Equal(unknown.Body.Replace(ghostId, "{id}"), foreign.Body.Replace(victim.ClientId, "{id}"));
        Assert.Equal(unknown.Headers.WwwAuthenticate.ToString(), foreign.Headers.WwwAuthenticate.ToString());
        Assert.Equal(victimBefore, (await Api.GetAsync(ManagementPaths.Client(victim.ClientId))).Body);
        OAuthAssert.Status(HttpStatusCode.OK, await OAuth.RequestTokenBasicAsync(victim));
        OAuthAssert.Active(await OAuth.IntrospectAsync(victimToken, fixture.Partner));
    }

    [Theory]
    [InlineData("GET", "/secrets")]
    [InlineData("POST", "/secrets")]
    [InlineData("DELETE", "/secrets/sec_doesnotexist")]
    [InlineData("DELETE", "/tokens")]
    public async Task Secrets_UnknownClientAsOperator_Returns404NotFound(string method, string suffix)
    {
        var response = await Api.SendJsonAsync(new HttpMethod(method), ManagementPaths.Client("cc_client_doesnotexist") + suffix);

        ManagementAssert.Problem(HttpStatusCode.NotFound, "not_found", response);
    }

    [Theory]
    [InlineData("unknown secret id")]
    [InlineData("already revoked")]
    [InlineData("another client's secret id")]
    public async Task Secrets_RevokeUnknownSecret_Returns404AndRevokesNothing(string which)
    {
        var client = await NewClientAsync("revoke-unknown");
        var other = await NewClientAsync("revoke-other");
        var (secondId, secondValue) = await Api.AddSecretAsync(client.ClientId);
        string secretId;
        switch (which)
        {
            case "unknown secret id": secretId = "sec_doesnotexist"; break;
            case "already revoked":
                OAuthAssert.Status(HttpStatusCode.NoContent, await Api.DeleteAsync(ManagementPaths.Secret(client.ClientId, secondId)));
                secretId = secondId;
                break;
            default: secretId = other.SecretId; break;
        }
        var before = (await Api.GetAsync(ManagementPaths.Secrets(client.ClientId))).Body;

        var response = await Api.DeleteAsync(ManagementPaths.Secret(client.ClientId, secretId));

        ManagementAssert.Problem(HttpStatusCode.NotFound, "not_found", response);
        Assert.Equal(before, (await Api.GetAsync(ManagementPaths.Secrets(client.ClientId))).Body);
        OAuthAssert.Status(HttpStatusCode.OK, await OAuth.RequestTokenBasicAsync(client));
        OAuthAssert.Status(HttpStatusCode.OK, await OAuth.RequestTokenBasicAsync(other));
        if (which != "already revoked")
            OAuthAssert.Status(HttpStatusCode.OK, await OAuth.RequestTokenBasicAsync(WithSecret(client, secondId, secondValue)));
    }
}
