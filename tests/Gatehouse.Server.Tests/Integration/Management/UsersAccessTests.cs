using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Management;

public sealed class UsersAccessFixture : UsersFixture
{
    /// The user every refused request aims at; it must come out of each test unchanged.
    public string TargetSub { get; private set; } = null!;
    public string TargetBody { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var target = await CreateUserAsync(new { email = "access-target@example.com", name = "Access Target", password = "target password" });
        TargetSub = OAuthAssert.StringProperty(target, "sub");
        TargetBody = target.GetRawText();
    }
}

/// SPEC 2 and 8: /oauth/users is for operators holding users:manage in a token for the issuer audience, with the
/// same refusals as /oauth/clients (401 without or with a bad token, 403 insufficient_scope otherwise).
public sealed class UsersAccessTests(UsersAccessFixture fixture) : IClassFixture<UsersAccessFixture>
{
    public static TheoryData<string, string> UserEndpoints => new()
    {
        { "POST", "/oauth/users" },
        { "GET", "/oauth/users" },
        { "GET", "/oauth/users/{target}" },
        { "PATCH", "/oauth/users/{target}" },
        { "DELETE", "/oauth/users/{target}" },
    };

    async Task<OAuthResponse> CallAsync(string method, string pathTemplate, AuthenticationHeaderValue? authorization)
    {
        var path = pathTemplate.Replace("{target}", fixture.TargetSub);
        HttpContent? content = method switch
        {
            "POST" => Json("""{"email":"should-not-exist@example.com","name":"Nobody","password":"should not exist"}"""),
            "PATCH" => Json("""{"name":"hijacked","disabled":true,"password":"hijacked password"}"""),
            _ => null,
        };
        return await fixture.UsersApi.SendRawAsync(new HttpMethod(method), path, authorization, content);

        static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
    }

    async Task AssertNothingChangedAsync(string[] subsBefore)
    {
        Assert.Equal(subsBefore, await fixture.UserSubsAsync());
        var target = await fixture.UsersApi.GetAsync(ManagementPaths.User(fixture.TargetSub));
        ManagementAssert.Json(HttpStatusCode.OK, target);
        Assert.Equal(fixture.TargetBody, target.Json.GetRawText());
        Assert.Equal("ok", await StoredPasswords.VerifyAsync(fixture.DataDirectory, "access-target@example.com", "target password"));
    }

    static void AssertChallenge(OAuthResponse response, string? error)
    {
        var bearer = response.Headers.WwwAuthenticate.FirstOrDefault(c => c.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase));
        Assert.True(bearer is not null, $"Expected a Bearer challenge in WWW-Authenticate:\n{response}");
        if (error is null) Assert.DoesNotContain("error=", bearer!.Parameter ?? "");
        else Assert.Contains($"error=\"{error}\"", bearer!.Parameter ?? "");
        if (error == "insufficient_scope") Assert.Contains("scope=\"users:manage\"", bearer.Parameter ?? "");
    }

    [Theory]
    [MemberData(nameof(UserEndpoints))]
    public async Task Users_NoCredentials_Returns401WithBearerChallenge(string method, string path)
    {
        var before = await fixture.UserSubsAsync();

        var response = await CallAsync(method, path, authorization: null);

        ManagementAssert.Problem(HttpStatusCode.Unauthorized, "unauthorized", response);
        AssertChallenge(response, error: null);
        await AssertNothingChangedAsync(before);
    }

    [Theory]
    [MemberData(nameof(UserEndpoints))]
    public async Task Users_GarbageBearer_Returns401InvalidToken(string method, string path)
    {
        var before = await fixture.UserSubsAsync();

        var response = await CallAsync(method, path, ManagementTestClient.Bearer("not-a-token"));

        ManagementAssert.Problem(HttpStatusCode.Unauthorized, "invalid_token", response);
        AssertChallenge(response, "invalid_token");
        await AssertNothingChangedAsync(before);
    }

    /// An operator for clients is not an operator for people.
    [Theory]
    [MemberData(nameof(UserEndpoints))]
    public async Task Users_ClientsManageOnlyToken_Returns403InsufficientScope(string method, string path)
    {
        var before = await fixture.UserSubsAsync();

        var response = await CallAsync(method, path, fixture.Api.OperatorAuthorization);

        ManagementAssert.Problem(HttpStatusCode.Forbidden, "insufficient_scope", response);
        AssertChallenge(response, "insufficient_scope");
        await AssertNothingChangedAsync(before);
    }

    [Theory]
    [MemberData(nameof(UserEndpoints))]
    public async Task Users_PartnerToken_Returns403InsufficientScope(string method, string path)
    {
        var before = await fixture.UserSubsAsync();
        var token = await fixture.OAuth.GetAccessTokenAsync(fixture.Partner);

        var response = await CallAsync(method, path, ManagementTestClient.Bearer(token));

        ManagementAssert.Problem(HttpStatusCode.Forbidden, "insufficient_scope", response);
        AssertChallenge(response, "insufficient_scope");
        await AssertNothingChangedAsync(before);
    }

    /// users:manage, but in a token for a resource server (audience partner/v1), not for this server.
    [Fact]
    public async Task Users_UsersManageForAnotherAudience_IsNeverMinted()
    {
        // SPEC 5 (hardening item 4): a management scope only rides in a token for the issuer, so a users:manage token
        // for partner/v1 cannot exist to be tried against /oauth/users.
        var response = await fixture.OAuth.RequestTokenBasicAsync(fixture.UsersOperator, OAuthTestClient.ClientCredentialsForm(audience: "partner/v1"));
        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_scope", response);
        var explicitScope = await fixture.OAuth.RequestTokenBasicAsync(fixture.UsersOperator,
            OAuthTestClient.ClientCredentialsForm(scope: "users:manage", audience: "partner/v1"));
        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_scope", explicitScope);
    }

    [Theory]
    [MemberData(nameof(UserEndpoints))]
    public async Task Users_ClientBasicCredentials_Returns403InsufficientScope(string method, string path)
    {
        var before = await fixture.UserSubsAsync();

        var response = await CallAsync(method, path, OAuthTestClient.Basic(fixture.UsersOperator.ClientId, fixture.UsersOperator.ClientSecret));

        ManagementAssert.Problem(HttpStatusCode.Forbidden, "insufficient_scope", response);
        AssertChallenge(response, "insufficient_scope");
        await AssertNothingChangedAsync(before);
    }

    [Fact]
    public async Task UsersOperatorToken_ForTheIssuer_CarriesUsersManageAndCannotManageClients()
    {
        var payload = TestJwt.Parse(fixture.UsersApi.OperatorToken).Payload;

        Assert.Equal(fixture.Server.Issuer, OAuthAssert.StringProperty(payload, "aud"));
        OAuthAssert.SameScopes("users:manage", OAuthAssert.StringProperty(payload, "scope"));
        ManagementAssert.Json(HttpStatusCode.OK, await fixture.UsersApi.GetAsync(ManagementPaths.Users));
        ManagementAssert.Problem(HttpStatusCode.Forbidden, "insufficient_scope", await fixture.UsersApi.GetAsync(ManagementPaths.Clients));
        ManagementAssert.Problem(HttpStatusCode.Forbidden, "insufficient_scope", await fixture.UsersApi.GetAsync(ManagementPaths.Audit));
    }

    /// Each endpoint answers the users operator with success (the shapes are UsersEndpointTests').
    [Fact]
    public async Task Users_UsersManageOperator_GetsSuccessOnEveryEndpoint()
    {
        var created = await fixture.UsersApi.PostAsync(ManagementPaths.Users,
            new { email = "access-ok@example.com", name = "Access OK", password = "access ok password" });
        ManagementAssert.Json(HttpStatusCode.Created, created);
        var sub = created.Text("sub")!;

        ManagementAssert.Json(HttpStatusCode.OK, await fixture.UsersApi.GetAsync(ManagementPaths.Users));
        ManagementAssert.Json(HttpStatusCode.OK, await fixture.UsersApi.GetAsync(ManagementPaths.User(sub)));
        ManagementAssert.Json(HttpStatusCode.OK, await fixture.UsersApi.PatchAsync(ManagementPaths.User(sub), new { name = "Access OK 2" }));
        var deleted = await fixture.UsersApi.DeleteAsync(ManagementPaths.User(sub));
        OAuthAssert.Status(HttpStatusCode.NoContent, deleted);
        OAuthAssert.NoStore(deleted);
    }
}
