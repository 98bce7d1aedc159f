using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Management;

public sealed class ClientsEndpointFixture : ManagementFixture;

/// Issue 3: POST/GET/PATCH/DELETE /oauth/clients[/{id}] as the operator (contract notes "Management API").
public sealed class ClientsEndpointTests(ClientsEndpointFixture fixture) : IClassFixture<ClientsEndpointFixture>
{
    static readonly string[] ClientViewProperties =
    [
        "client_id", "name", "scope", "audiences", "grant_types", "redirect_uris", "token_endpoint_auth_method",
        "post_logout_redirect_uris", "require_consent", "id_token_signed_response_alg", "team", "resource_server",
        "rate_limit", "created_at", "updated_at", "tokens_revoked_before",
    ];

    static readonly string[] SecretProperties = ["secret_id", "created_at", "last_used_at", "revoked_at"];

    ManagementTestClient Api => fixture.Api;
    OAuthTestClient OAuth => fixture.OAuth;

    static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..Math.Min(name.Length + 9, 60)];

    [Fact]
    public async Task Create_FullRegistration_Returns201WithLocationAndTheSecretOnce()
    {
        var started = DateTimeOffset.UtcNow;
        var name = Unique("create-full");

        var response = await Api.PostAsync(ManagementPaths.Clients, new
        {
            name,
            scope = "decisions:read applications:read",
            audiences = new[] { "partner/v1", "internal/v1" },
            grant_types = new[] { "client_credentials" },
            redirect_uris = new[] { "https://partner.example.com/callback", "http://127.0.0.1:8400/cb" },
            token_endpoint_auth_method = "client_secret_post",
            rate_limit = 50,
        });

        ManagementAssert.Json(HttpStatusCode.Created, response);
        var json = response.Json;
        ManagementAssert.ExactProperties(json, [.. ClientViewProperties, "client_secret", "secret_id"]);
        var clientId = OAuthAssert.StringProperty(json, "client_id");
        Assert.StartsWith("cc_client_", clientId);
        Assert.Equal(ManagementPaths.Client(clientId), response.Header("Location"));
        Assert.StartsWith("cc_secret_sandbox_", OAuthAssert.StringProperty(json, "client_secret"));
        var secretId = OAuthAssert.StringProperty(json, "secret_id");
        Assert.Equal(name, response.Text("name"));
        OAuthAssert.SameScopes("decisions:read applications:read", response.Text("scope"));
        Assert.Equal(["partner/v1", "internal/v1"], OAuthAssert.StringArray(json, "audiences"));
        Assert.Equal(["client_credentials"], OAuthAssert.StringArray(json, "grant_types"));
        Assert.Equal(["https://partner.example.com/callback", "http://127.0.0.1:8400/cb"], OAuthAssert.StringArray(json, "redirect_uris"));
        Assert.Equal("client_secret_post", response.Text("token_endpoint_auth_method"));
        Assert.Equal(50, OAuthAssert.NumberProperty(json, "rate_limit"));
        ManagementAssert.Near(started, ManagementAssert.Time(json, "created_at"), TimeSpan.FromMinutes(1), "created_at");
        Assert.Null(ManagementAssert.Time(json, "tokens_revoked_before"));

        // Shown once: reading the client back shows the secret's metadata, never its value.
        var read = await Api.GetAsync(response.Header("Location")!);
        ManagementAssert.Json(HttpStatusCode.OK, read);
        Assert.DoesNotContain("cc_secret_", read.Body);
        var secret = Assert.Single(OAuthAssert.Property(read.Json, "secrets").EnumerateArray());
        Assert.Equal(secretId, OAuthAssert.StringProperty(secret, "secret_id"));

        // And the secret works at the token endpoint at once.
        var token = await OAuth.RequestTokenPostAsync(clientId, OAuthAssert.StringProperty(json, "client_secret"),
            OAuthTestClient.ClientCredentialsForm(audience: "internal/v1"));
        OAuthAssert.Status(HttpStatusCode.OK, token);
    }

    [Fact]
    public async Task Create_NameOnly_AppliesTheDefaults()
    {
        var response = await Api.PostAsync(ManagementPaths.Clients, new { name = Unique("create-defaults") });

        ManagementAssert.Json(HttpStatusCode.Created, response);
        OAuthAssert.SameScopes(TokenEndpointFixture.DefaultClientScope, response.Text("scope"));
        Assert.Equal(["partner/v1"], OAuthAssert.StringArray(response.Json, "audiences"));
        Assert.Equal(["client_credentials"], OAuthAssert.StringArray(response.Json, "grant_types"));
        Assert.Equal(JsonValueKind.Null, OAuthAssert.Property(response.Json, "rate_limit").ValueKind);
    }

    [Fact]
    public async Task List_AsOperator_ReturnsEveryClientWithoutSecrets()
    {
        var created = await Api.RegisterAsync(Unique("list-me"));

        var response = await Api.GetAsync(ManagementPaths.Clients);

        ManagementAssert.Json(HttpStatusCode.OK, response);
        ManagementAssert.ExactProperties(response.Json, "clients");
        var clients = OAuthAssert.Property(response.Json, "clients").EnumerateArray().ToArray();
        foreach (var client in clients) ManagementAssert.ExactProperties(client, ClientViewProperties);
        var ids = clients.Select(c => OAuthAssert.StringProperty(c, "client_id")).ToArray();
        Assert.Contains(created.ClientId, ids);
        Assert.Contains(fixture.Operator.ClientId, ids); // created with the CLI before the server started
        Assert.Contains(fixture.Partner.ClientId, ids);
        Assert.DoesNotContain("cc_secret_", response.Body);
    }

    [Fact]
    public async Task Read_ExistingClient_ReturnsViewWithSecretsMetadata()
    {
        var created = await Api.RegisterAsync(Unique("read-me"), scope: "decisions:read");

        var response = await Api.GetAsync(ManagementPaths.Client(created.ClientId));

        ManagementAssert.Json(HttpStatusCode.OK, response);
        ManagementAssert.ExactProperties(response.Json, [.. ClientViewProperties, "secrets"]);
        Assert.Equal(created.ClientId, response.Text("client_id"));
        Assert.Equal("decisions:read", response.Text("scope"));
        var secret = Assert.Single(OAuthAssert.Property(response.Json, "secrets").EnumerateArray());
        ManagementAssert.ExactProperties(secret, SecretProperties);
        Assert.Equal(created.SecretId, OAuthAssert.StringProperty(secret, "secret_id"));
        Assert.Null(ManagementAssert.Time(secret, "revoked_at"));
        Assert.DoesNotContain("cc_secret_", response.Body);
        Assert.DoesNotContain(created.ClientSecret, response.Body);
    }

    [Fact]
    public async Task Read_UnknownClient_Returns404NotFound()
    {
        var response = await Api.GetAsync(ManagementPaths.Client("cc_client_doesnotexist"));

        ManagementAssert.Problem(HttpStatusCode.NotFound, "not_found", response);
    }

    [Fact]
    public async Task Patch_MergePatch_ChangesOnlyTheNamedFieldsAndNullClearsRateLimit()
    {
        var created = await Api.RegisterAsync(Unique("patch-me"), scope: "decisions:read", rateLimit: 50);
        var before = (await Api.GetAsync(ManagementPaths.Client(created.ClientId))).Json;

        var renamed = await Api.PatchAsync(ManagementPaths.Client(created.ClientId), new { name = "patched-name", audiences = new[] { "internal/v1" } });

        ManagementAssert.Json(HttpStatusCode.OK, renamed);
        ManagementAssert.ExactProperties(renamed.Json, ClientViewProperties);
        Assert.Equal("patched-name", renamed.Text("name"));
        Assert.Equal(["internal/v1"], OAuthAssert.StringArray(renamed.Json, "audiences"));
        Assert.Equal("decisions:read", renamed.Text("scope"));
        Assert.Equal(50, OAuthAssert.NumberProperty(renamed.Json, "rate_limit"));
        Assert.Equal(before.GetProperty("created_at").GetString(), renamed.Text("created_at"));
        Assert.True(ManagementAssert.Time(renamed.Json, "updated_at") >= ManagementAssert.Time(before, "created_at"));

        var cleared = await Api.PatchAsync(ManagementPaths.Client(created.ClientId), """{"rate_limit":null}""");

        ManagementAssert.Json(HttpStatusCode.OK, cleared);
        Assert.Equal(JsonValueKind.Null, OAuthAssert.Property(cleared.Json, "rate_limit").ValueKind);
        Assert.Equal("patched-name", cleared.Text("name"));
        var reread = await Api.GetAsync(ManagementPaths.Client(created.ClientId));
        Assert.Equal(JsonValueKind.Null, OAuthAssert.Property(reread.Json, "rate_limit").ValueKind);
        Assert.Equal("patched-name", reread.Text("name"));
        Assert.Equal(["internal/v1"], OAuthAssert.StringArray(reread.Json, "audiences"));

        // The change is live at the token endpoint: the client now mints for internal/v1 only.
        OAuthAssert.Status(HttpStatusCode.OK,
            await OAuth.RequestTokenBasicAsync(created, OAuthTestClient.ClientCredentialsForm(audience: "internal/v1")));
        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_target",
            await OAuth.RequestTokenBasicAsync(created, OAuthTestClient.ClientCredentialsForm(audience: "partner/v1")));
    }

    [Theory]
    [InlineData("""{"scope":"decisions:read nope:nope"}""", "invalid_client_metadata", "scope")]
    [InlineData("""{"rate_limit":-5}""", "invalid_client_metadata", "rate_limit")]
    [InlineData("""{"redirect_uris":["https://app.example.com/cb#x"]}""", "invalid_redirect_uri", "redirect_uris")]
    [InlineData("""{"colour":"red"}""", "invalid_client_metadata", "colour")]
    [InlineData("""{"name":""}""", "invalid_client_metadata", "name")]
    [InlineData("""{"token_endpoint_auth_method":"none"}""", "invalid_client_metadata", "token_endpoint_auth_method")]
    [InlineData("""{"grant_types":["authorization_code"]}""", "invalid_redirect_uri", "redirect_uris")]
    [InlineData("""{"rate_limit":"fast"}""", "invalid_client_metadata", "rate_limit")]
    [InlineData("""{"name":"x",""", "invalid_request", null)]
    public async Task Patch_InvalidChange_Returns400NamingTheFieldAndChangesNothing(string body, string error, string? field)
    {
        var created = await Api.RegisterAsync(Unique("patch-bad"), scope: "decisions:read", rateLimit: 50);
        var before = (await Api.GetAsync(ManagementPaths.Client(created.ClientId))).Body;

        var response = await Api.PatchAsync(ManagementPaths.Client(created.ClientId), body);

        ManagementAssert.Problem(HttpStatusCode.BadRequest, error, response, field);
        Assert.Equal(before, (await Api.GetAsync(ManagementPaths.Client(created.ClientId))).Body);
    }

    /// RFC 7396's own media type is accepted as well as application/json.
    [Fact]
    public async Task Patch_MergePatchContentType_Returns200()
    {
        var created = await Api.RegisterAsync(Unique("patch-type"), scope: "decisions:read");

        var response = await Api.SendJsonAsync(HttpMethod.Patch, ManagementPaths.Client(created.ClientId),
            """{"scope":"decisions:read applications:read"}""", contentType: "application/merge-patch+json");

        ManagementAssert.Json(HttpStatusCode.OK, response);
        OAuthAssert.SameScopes("decisions:read applications:read", response.Text("scope"));
    }

    [Fact]
    public async Task Patch_UnknownClient_Returns404NotFound()
    {
        var before = await Api.ClientIdsAsync();

        var response = await Api.PatchAsync(ManagementPaths.Client("cc_client_doesnotexist"), new { name = "ghost" });

        ManagementAssert.Problem(HttpStatusCode.NotFound, "not_found", response);
        Assert.Equal(before.Order(), (await Api.ClientIdsAsync()).Order());
    }

    [Fact]
    public async Task Delete_Client_Returns204ThenItsSecretIsInvalidClientAndItsTokensAreInactive()
    {
        var doomed = await Api.RegisterAsync(Unique("delete-me"));
        var token = await OAuth.GetAccessTokenAsync(doomed);
        OAuthAssert.Active(await OAuth.IntrospectAsync(token, fixture.Partner));

        var response = await Api.DeleteAsync(ManagementPaths.Client(doomed.ClientId));

        OAuthAssert.Status(HttpStatusCode.NoContent, response);
        OAuthAssert.NoStore(response);
        Assert.Equal("", response.Body);
        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", await OAuth.RequestTokenBasicAsync(doomed));
        OAuthAssert.Inactive(await OAuth.IntrospectAsync(token, fixture.Partner));
        ManagementAssert.Problem(HttpStatusCode.NotFound, "not_found", await Api.GetAsync(ManagementPaths.Client(doomed.ClientId)));
        Assert.DoesNotContain(doomed.ClientId, await Api.ClientIdsAsync());
        ManagementAssert.Problem(HttpStatusCode.NotFound, "not_found", await Api.DeleteAsync(ManagementPaths.Client(doomed.ClientId)));
    }

    /// Issue 3: "validates all of it (unknown scope, bad URI, bad grant: 400 naming the field)"; contract
    /// notes give the error codes. Each refusal leaves the client list as it was.
    [Theory]
    [InlineData("unknown scope", """{"name":"v","scope":"decisions:read nope:nope"}""", "invalid_client_metadata", "scope")]
    [InlineData("unknown audience", """{"name":"v","audiences":["partner/v9"]}""", "invalid_client_metadata", "audiences")]
    [InlineData("no audience", """{"name":"v","audiences":[]}""", "invalid_client_metadata", "audiences")]
    [InlineData("unknown grant", """{"name":"v","grant_types":["password"]}""", "invalid_client_metadata", "grant_types")]
    [InlineData("relative redirect URI", """{"name":"v","redirect_uris":["/callback"]}""", "invalid_redirect_uri", "redirect_uris")]
    [InlineData("redirect URI with fragment", """{"name":"v","redirect_uris":["https://app.example.com/cb#frag"]}""", "invalid_redirect_uri", "redirect_uris")]
    [InlineData("http redirect URI, not loopback", """{"name":"v","redirect_uris":["http://app.example.com/cb"]}""", "invalid_redirect_uri", "redirect_uris")]
    [InlineData("authorization_code without redirect_uris", """{"name":"v","grant_types":["authorization_code"]}""", "invalid_redirect_uri", "redirect_uris")]
    [InlineData("negative rate_limit", """{"name":"v","rate_limit":-1}""", "invalid_client_metadata", "rate_limit")]
    [InlineData("zero rate_limit", """{"name":"v","rate_limit":0}""", "invalid_client_metadata", "rate_limit")]
    [InlineData("unknown auth method", """{"name":"v","token_endpoint_auth_method":"private_key_jwt"}""", "invalid_client_metadata", "token_endpoint_auth_method")]
    [InlineData("unknown field", """{"name":"v","colour":"red"}""", "invalid_client_metadata", "colour")]
    [InlineData("scope as array", """{"name":"v","scope":["decisions:read"]}""", "invalid_client_metadata", "scope")]
    [InlineData("rate_limit as string", """{"name":"v","rate_limit":"10"}""", "invalid_client_metadata", "rate_limit")]
    [InlineData("audiences as string", """{"name":"v","audiences":"partner/v1"}""", "invalid_client_metadata", "audiences")]
    [InlineData("missing name", """{"scope":"decisions:read"}""", "invalid_client_metadata", "name")]
    [InlineData("blank name", """{"name":"   "}""", "invalid_client_metadata", "name")]
    [InlineData("malformed JSON", """{"name":"v",""", "invalid_request", null)]
    [InlineData("JSON array, not object", """[{"name":"v"}]""", "invalid_request", null)]
    [InlineData("redirect URI with a space", """{"name":"v","grant_types":["authorization_code"],"redirect_uris":["https://app.example.com/cb x"]}""", "invalid_redirect_uri", "redirect_uris")]
    [InlineData("lone surrogate in name", """{"name":"\ud800"}""", "invalid_request", null)]
    public async Task Create_InvalidRegistration_Returns400NamingTheFieldAndCreatesNothing(string what, string body, string error, string? field)
    {
        _ = what;
        var before = await Api.ClientIdsAsync();

        var response = await Api.PostAsync(ManagementPaths.Clients, body);

        ManagementAssert.Problem(HttpStatusCode.BadRequest, error, response, field);
        Assert.Equal(before.Order(), (await Api.ClientIdsAsync()).Order());
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "name=v&scope=decisions%3Aread")]
    [InlineData("text/plain", """{"name":"v"}""")]
    public async Task Create_NotJsonContentType_Returns400InvalidRequestAndCreatesNothing(string contentType, string body)
    {
        var before = await Api.ClientIdsAsync();
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        var response = await Api.SendRawAsync(HttpMethod.Post, ManagementPaths.Clients, Api.OperatorAuthorization, content);

        ManagementAssert.Problem(HttpStatusCode.BadRequest, "invalid_request", response);
        Assert.Equal(before.Order(), (await Api.ClientIdsAsync()).Order());
    }

    [Fact]
    public async Task Create_NoBody_Returns400InvalidRequestAndCreatesNothing()
    {
        var before = await Api.ClientIdsAsync();

        var response = await Api.SendRawAsync(HttpMethod.Post, ManagementPaths.Clients, Api.OperatorAuthorization);

        ManagementAssert.Problem(HttpStatusCode.BadRequest, "invalid_request", response);
        Assert.Equal(before.Order(), (await Api.ClientIdsAsync()).Order());
    }
}
