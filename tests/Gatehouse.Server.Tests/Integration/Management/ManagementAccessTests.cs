using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Management;

public sealed class ManagementAccessFixture : ManagementFixture
{
    /// The client every refused request aims at; it must come out of each test unchanged.
    public CreatedClient Target { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Target = await Api.RegisterAsync("access-target", scope: "decisions:read");
    }
}

/// Issue 3 "Unauthenticated: 401; authenticated without the right: 403", for every management endpoint
/// (contract notes: 401 with a Bearer challenge, invalid_token, insufficient_scope).
public sealed class ManagementAccessTests(ManagementAccessFixture fixture) : IClassFixture<ManagementAccessFixture>
{
    ManagementTestClient Api => fixture.Api;

    /// Endpoints only an operator may call.
    public static TheoryData<string, string> OperatorEndpoints => new()
    {
        { "POST", "/oauth/clients" },
        { "GET", "/oauth/clients" },
        { "GET", "/oauth/clients/{target}" },
        { "PATCH", "/oauth/clients/{target}" },
        { "DELETE", "/oauth/clients/{target}" },
        { "GET", "/oauth/audit" },
    };

    /// Endpoints the operator or the client itself may call.
    public static TheoryData<string, string> SelfServiceEndpoints => new()
    {
        { "GET", "/oauth/clients/{target}/secrets" },
        { "POST", "/oauth/clients/{target}/secrets" },
        { "DELETE", "/oauth/clients/{target}/secrets/{secret}" },
        { "DELETE", "/oauth/clients/{target}/tokens" },
    };

    public static TheoryData<string, string> AllEndpoints
    {
        get
        {
            var all = new TheoryData<string, string>();
            foreach (var row in OperatorEndpoints.Concat(SelfServiceEndpoints)) all.Add((string)row[0], (string)row[1]);
            return all;
        }
    }

    async Task<OAuthResponse> CallAsync(string method, string pathTemplate, AuthenticationHeaderValue? authorization)
    {
        var path = pathTemplate.Replace("{target}", fixture.Target.ClientId).Replace("{secret}", fixture.Target.SecretId);
        HttpContent? content = method switch
        {
            "POST" when path == ManagementPaths.Clients => Json("""{"name":"should-not-exist","scope":"decisions:read"}"""),
            "PATCH" => Json("""{"name":"hijacked","rate_limit":1}"""),
            _ => null,
        };
        return await Api.SendRawAsync(new HttpMethod(method), path, authorization, content);

        static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
    }

    /// Nothing a refused request could have touched has changed.
    async Task AssertNothingChangedAsync(int clientCountBefore)
    {
        var ids = await Api.ClientIdsAsync();
        Assert.Equal(clientCountBefore, ids.Length);
        var target = await Api.GetAsync(ManagementPaths.Client(fixture.Target.ClientId));
        ManagementAssert.Json(HttpStatusCode.OK, target);
        Assert.Equal("access-target", target.Text("name"));
        Assert.Equal(GatehouseFixture.UnthrottledRateLimit, OAuthAssert.NumberProperty(target.Json, "rate_limit"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, OAuthAssert.Property(target.Json, "tokens_revoked_before").ValueKind);
        var secrets = OAuthAssert.Property(target.Json, "secrets").EnumerateArray().ToArray();
        var only = Assert.Single(secrets);
        Assert.Equal(fixture.Target.SecretId, OAuthAssert.StringProperty(only, "secret_id"));
        Assert.Null(ManagementAssert.Time(only, "revoked_at"));
        OAuthAssert.Status(HttpStatusCode.OK, await fixture.OAuth.RequestTokenBasicAsync(fixture.Target));
    }

    static void AssertBearerChallenge(OAuthResponse response, string? error)
    {
        var bearer = response.Headers.WwwAuthenticate.FirstOrDefault(c => c.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase));
        Assert.True(bearer is not null, $"Expected a Bearer challenge in WWW-Authenticate:\n{response}");
        Assert.Contains("realm=\"gatehouse\"", bearer!.Parameter ?? "");
        if (error is null)
            Assert.DoesNotContain("error=", bearer.Parameter ?? ""); // RFC 6750 §3.1: no error code without a token
        else
            Assert.Contains($"error=\"{error}\"", bearer.Parameter ?? "");
    }

    [Theory]
    [MemberData(nameof(AllEndpoints))]
    public async Task Management_NoCredentials_Returns401WithBearerChallenge(string method, string path)
    {
        var before = (await Api.ClientIdsAsync()).Length;

        var response = await CallAsync(method, path, authorization: null);

        ManagementAssert.Problem(HttpStatusCode.Unauthorized, "unauthorized", response);
        AssertBearerChallenge(response, error: null);
        await AssertNothingChangedAsync(before);
    }

    [Theory]
    [MemberData(nameof(AllEndpoints))]
    public async Task Management_GarbageBearer_Returns401InvalidToken(string method, string path)
    {
        var before = (await Api.ClientIdsAsync()).Length;

        var response = await CallAsync(method, path, ManagementTestClient.Bearer("not-a-token"));

        ManagementAssert.Problem(HttpStatusCode.Unauthorized, "invalid_token", response);
        AssertBearerChallenge(response, "invalid_token");
        await AssertNothingChangedAsync(before);
    }

    [Theory]
    [MemberData(nameof(AllEndpoints))]
    public async Task Management_RevokedOperatorToken_Returns401InvalidToken(string method, string path)
    {
        var before = (await Api.ClientIdsAsync()).Length;
        var token = await fixture.OAuth.GetAccessTokenAsync(fixture.Operator, audience: fixture.Server.Issuer);
        OAuthAssert.Status(HttpStatusCode.OK, await fixture.OAuth.RevokeAsync(token, fixture.Operator));

        var response = await CallAsync(method, path, ManagementTestClient.Bearer(token));

        ManagementAssert.Problem(HttpStatusCode.Unauthorized, "invalid_token", response);
        AssertBearerChallenge(response, "invalid_token");
        await AssertNothingChangedAsync(before);
    }

    /// A partner's ordinary token: audience partner/v1, no clients:manage.
    [Theory]
    [MemberData(nameof(AllEndpoints))]
    public async Task Management_PartnerToken_Returns403InsufficientScope(string method, string path)
    {
        var before = (await Api.ClientIdsAsync()).Length;
        var token = await fixture.OAuth.GetAccessTokenAsync(fixture.Partner);

        var response = await CallAsync(method, path, ManagementTestClient.Bearer(token));

        ManagementAssert.Problem(HttpStatusCode.Forbidden, "insufficient_scope", response);
        AssertBearerChallenge(response, "insufficient_scope");
        await AssertNothingChangedAsync(before);
    }

    /// A client granted the operator scope, but with a token meant for a resource server (audience partner/v1),
    /// which never carries a management scope (SPEC 5; docs/hardening.md item 4), not one for this server.
    [Theory]
    [MemberData(nameof(AllEndpoints))]
    public async Task Management_OperatorClientTokenForAnotherAudience_Returns403InsufficientScope(string method, string path)
    {
        var before = (await Api.ClientIdsAsync()).Length;
        var token = await fixture.OAuth.GetAccessTokenAsync(fixture.HalfOperator, audience: "partner/v1");
        Assert.Equal("partner/v1", OAuthAssert.StringProperty(TestJwt.Parse(token).Payload, "aud"));

        var response = await CallAsync(method, path, ManagementTestClient.Bearer(token));

        ManagementAssert.Problem(HttpStatusCode.Forbidden, "insufficient_scope", response);
        AssertBearerChallenge(response, "insufficient_scope");
        await AssertNothingChangedAsync(before);
    }

    /// The right audience (the issuer) but a token that does not carry clients:manage.
    [Theory]
    [MemberData(nameof(AllEndpoints))]
    public async Task Management_IssuerAudienceWithoutClientsManage_Returns403InsufficientScope(string method, string path)
    {
        var before = (await Api.ClientIdsAsync()).Length;
        var token = await fixture.OAuth.GetAccessTokenAsync(fixture.HalfOperator, scope: "decisions:read", audience: fixture.Server.Issuer);

        var response = await CallAsync(method, path, ManagementTestClient.Bearer(token));

        ManagementAssert.Problem(HttpStatusCode.Forbidden, "insufficient_scope", response);
        AssertBearerChallenge(response, "insufficient_scope");
        await AssertNothingChangedAsync(before);
    }

    /// Client credentials are no substitute for the operator token on the operator-only endpoints: the client is
    /// authenticated but lacks the right, so 403 (issue 3), naming the operator scope.
    [Theory]
    [MemberData(nameof(OperatorEndpoints))]
    public async Task OperatorEndpoint_ClientBasicCredentials_Returns403InsufficientScope(string method, string path)
    {
        var before = (await Api.ClientIdsAsync()).Length;

        var response = await CallAsync(method, path, OAuthTestClient.Basic(fixture.Target.ClientId, fixture.Target.ClientSecret));

        ManagementAssert.Problem(HttpStatusCode.Forbidden, "insufficient_scope", response);
        AssertBearerChallenge(response, error: "insufficient_scope");
        await AssertNothingChangedAsync(before);
    }

    /// Wrong client credentials on an operator-only endpoint are still a failed authentication.
    [Theory]
    [MemberData(nameof(OperatorEndpoints))]
    public async Task OperatorEndpoint_WrongClientCredentials_Returns401InvalidClient(string method, string path)
    {
        var before = (await Api.ClientIdsAsync()).Length;

        var response = await CallAsync(method, path, OAuthTestClient.Basic(fixture.Target.ClientId, "wrong"));

        ManagementAssert.Problem(HttpStatusCode.Unauthorized, "invalid_client", response);
        await AssertNothingChangedAsync(before);
    }

    /// Self-service needs one of the client's live secrets; a wrong one is the token endpoint's 401 invalid_client.
    [Theory]
    [MemberData(nameof(SelfServiceEndpoints))]
    public async Task SelfServiceEndpoint_WrongSecret_Returns401InvalidClient(string method, string path)
    {
        var before = (await Api.ClientIdsAsync()).Length;

        var response = await CallAsync(method, path, OAuthTestClient.Basic(fixture.Target.ClientId, fixture.Partner.ClientSecret));

        ManagementAssert.Problem(HttpStatusCode.Unauthorized, "invalid_client", response);
        await AssertNothingChangedAsync(before);
    }

    [Fact]
    public async Task OperatorToken_ForTheIssuerAudience_IsMintedWithClientsManage()
    {
        var payload = TestJwt.Parse(Api.OperatorToken).Payload;

        Assert.Equal(fixture.Server.Issuer, OAuthAssert.StringProperty(payload, "aud"));
        OAuthAssert.SameScopes(ManagementTestClient.OperatorScope, OAuthAssert.StringProperty(payload, "scope"));
        ManagementAssert.Json(HttpStatusCode.OK, await Api.GetAsync(ManagementPaths.Clients));
    }

    [Fact]
    public async Task Token_IssuerAudienceWithoutClientsManageGranted_Returns400InvalidTarget()
    {
        var response = await fixture.OAuth.RequestTokenBasicAsync(fixture.Partner,
            OAuthTestClient.ClientCredentialsForm(audience: fixture.Server.Issuer));

        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_target", response);
    }
}
