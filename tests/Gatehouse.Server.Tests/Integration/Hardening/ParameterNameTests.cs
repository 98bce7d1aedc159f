using System.Net;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Hardening;

/// Issue 11, defect 2: RFC 6749 §1.9 makes parameter names case-sensitive and §3.1 says unknown ones are
/// ignored, so `GRANT_TYPE`, `SCOPE` and `Client_Secret` are unknown parameters, never their lowercase twins.
public sealed class ParameterNameTests(HardeningFixture fixture) : IClassFixture<HardeningFixture>
{
    OAuthTestClient OAuth => fixture.OAuth;
    System.Net.Http.Headers.AuthenticationHeaderValue PartnerBasic => OAuthTestClient.Basic(fixture.Partner.ClientId, fixture.Partner.ClientSecret);

    [Theory]
    [InlineData("GRANT_TYPE")]
    [InlineData("Grant_Type")]
    [InlineData("grant_typE")]
    public async Task Token_GrantTypeNameInOtherCase_Returns400InvalidRequest(string name)
    {
        var response = await OAuth.PostFormAsync(OAuthPaths.Token, [new(name, "client_credentials")], PartnerBasic);

        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_request", response);
        OAuthAssert.NoStore(response);
    }

    [Fact]
    public async Task Token_ScopeNameInUpperCase_IsIgnoredAndTheDefaultScopeIssued()
    {
        var response = await OAuth.PostFormAsync(OAuthPaths.Token,
            [new("grant_type", "client_credentials"), new("SCOPE", "decisions:read")], PartnerBasic);

        OAuthAssert.Status(HttpStatusCode.OK, response);
        OAuthAssert.SameScopes(fixture.Partner.Scope, response.Text("scope"));
    }

    [Fact]
    public async Task Token_ScopeAndScopeInOtherCase_AreTwoParametersNotARepeat()
    {
        var response = await OAuth.PostFormAsync(OAuthPaths.Token,
            [new("grant_type", "client_credentials"), new("scope", "decisions:read"), new("Scope", "applications:read")], PartnerBasic);

        OAuthAssert.Status(HttpStatusCode.OK, response);
        OAuthAssert.SameScopes("decisions:read", response.Text("scope"));
    }

    [Theory]
    [InlineData("Client_Secret")]
    [InlineData("CLIENT_SECRET")]
    public async Task Token_ClientSecretNameInOtherCase_IsNotCredentials_Returns401InvalidClient(string name)
    {
        var response = await OAuth.PostFormAsync(OAuthPaths.Token,
            [new("grant_type", "client_credentials"), new("client_id", fixture.Partner.ClientId), new(name, fixture.Partner.ClientSecret)]);

        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", response);
    }

    [Fact]
    public async Task Token_ClientIdNameInOtherCase_IsNotCredentials_Returns401InvalidClient()
    {
        var response = await OAuth.PostFormAsync(OAuthPaths.Token,
            [new("grant_type", "client_credentials"), new("CLIENT_ID", fixture.Partner.ClientId), new("client_secret", fixture.Partner.ClientSecret)]);

        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", response);
    }

    [Theory]
    [InlineData(OAuthPaths.Introspect)]
    [InlineData(OAuthPaths.PartnerIntrospect)]
    [InlineData(OAuthPaths.Revoke)]
    public async Task IntrospectAndRevoke_TokenNameInUpperCase_Returns400InvalidRequest(string path)
    {
        var token = await OAuth.GetAccessTokenAsync(fixture.Partner);

        var response = await OAuth.PostFormAsync(path, [new("TOKEN", token)], PartnerBasic);

        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_request", response);
    }

    [Fact]
    public async Task Token_ExactNames_StillReturn200()
    {
        var response = await OAuth.RequestTokenPostAsync(fixture.Partner.ClientId, fixture.Partner.ClientSecret,
            OAuthTestClient.ClientCredentialsForm(scope: "decisions:read"));

        OAuthAssert.Status(HttpStatusCode.OK, response);
        OAuthAssert.SameScopes("decisions:read", response.Text("scope"));
    }

    [Fact]
    public async Task SelfServiceSecrets_ClientSecretNameInOtherCase_IsNotCredentials_Returns401()
    {
        var content = new FormUrlEncodedContent([new("client_id", fixture.Partner.ClientId), new("Client_Secret", fixture.Partner.ClientSecret)]);

        var response = await fixture.Api.SendRawAsync(HttpMethod.Get, ManagementPaths.Secrets(fixture.Partner.ClientId), null, content);

        OAuthAssert.Status(HttpStatusCode.Unauthorized, response);
    }
}
