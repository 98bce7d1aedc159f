using System.Net;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Hardening;

/// Issue 11, weakness 4 (SPEC 5): management scopes ride only in tokens whose audience is the issuer, and
/// such a token is good for the management API only.
public sealed class ManagementScopeTests(HardeningFixture fixture) : IClassFixture<HardeningFixture>
{
    OAuthTestClient OAuth => fixture.OAuth;

    [Theory]
    [InlineData(null)]
    [InlineData("partner/v1")]
    public async Task Token_DefaultScopeForAnotherAudience_LeavesOutManagementScopes(string? audience)
    {
        var response = await OAuth.RequestTokenBasicAsync(fixture.Mixed, OAuthTestClient.ClientCredentialsForm(audience: audience));

        OAuthAssert.Status(HttpStatusCode.OK, response);
        OAuthAssert.SameScopes("decisions:read", response.Text("scope"));
        Assert.Equal("decisions:read", TestJwt.Parse(response.Text("access_token")!).Payload.GetProperty("scope").GetString());
    }

    [Theory]
    [InlineData("clients:manage")]
    [InlineData("decisions:read clients:manage")]
    public async Task Token_ManagementScopeAskedForAnotherAudience_Returns400InvalidScope(string scope)
    {
        var response = await OAuth.RequestTokenBasicAsync(fixture.Mixed, OAuthTestClient.ClientCredentialsForm(scope: scope, audience: "partner/v1"));

        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_scope", response);
        Assert.Contains("clients:manage", response.Text("error_description"));
    }

    [Fact]
    public async Task Token_OnlyManagementScopesAndAnotherAudience_Returns400InvalidScopeNamingTheAudience()
    {
        var response = await OAuth.RequestTokenBasicAsync(fixture.Operator);

        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_scope", response);
        Assert.Contains(fixture.Server.Issuer, response.Text("error_description"));
    }

    [Fact]
    public async Task Token_ManagementScopeForTheIssuerAudience_IsIssued()
    {
        var response = await OAuth.RequestTokenBasicAsync(fixture.Mixed,
            OAuthTestClient.ClientCredentialsForm(scope: "clients:manage", audience: fixture.Server.Issuer));

        OAuthAssert.Status(HttpStatusCode.OK, response);
        OAuthAssert.SameScopes("clients:manage", response.Text("scope"));
    }

    [Fact]
    public async Task Introspect_ManagementTokenByAnotherClient_ReturnsInactive()
    {
        var token = await OAuth.GetAccessTokenAsync(fixture.Operator, audience: fixture.Server.Issuer);

        OAuthAssert.Inactive(await OAuth.IntrospectAsync(token, fixture.Partner));
        OAuthAssert.Active(await OAuth.IntrospectAsync(token, fixture.Operator));
    }
}
