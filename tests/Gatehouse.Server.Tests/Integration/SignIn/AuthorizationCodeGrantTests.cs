using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.SignIn;

/// SPEC 8 "Authorization codes" and "ID token"; RFC 6749 §4.1.3, RFC 7636 §4.6, OIDC Core §3.1.3.
public sealed class AuthorizationCodeGrantTests(SignInFixture fixture) : IClassFixture<SignInFixture>
{
    [Fact]
    public async Task Code_RedeemedWithVerifier_ReturnsAccessIdAndRefreshTokens()
    {
        var pkce = PkcePair.New();
        var response = await fixture.RedeemAsync(fixture.WebApp, await fixture.CodeAsync(fixture.WebApp, pkce, "openid profile email companies decisions:read"), pkce);
        OAuthAssert.Status(HttpStatusCode.OK, response);
        OAuthAssert.NoStore(response);
        Assert.Equal("Bearer", response.Text("token_type"));
        Assert.StartsWith("ghrt_", response.Text("refresh_token"));
        OAuthAssert.SameScopes("openid profile email companies decisions:read", response.Text("scope"));

        var access = TestJwt.Parse(response.Text("access_token")!);
        Assert.Equal("at+jwt", access.Header.GetProperty("typ").GetString());
        Assert.Equal(fixture.DanaSub, access.Payload.GetProperty("sub").GetString());
        Assert.Equal("public/v1", access.Payload.GetProperty("aud").GetString());
        Assert.Equal(fixture.WebApp.ClientId, access.Payload.GetProperty("client_id").GetString());

        var id = TestJwt.Parse(response.Text("id_token")!);
        Assert.Equal("JWT", id.Header.GetProperty("typ").GetString());
        Assert.Equal("ES256", id.Header.GetProperty("alg").GetString());
        var claims = id.Payload;
        Assert.Equal(fixture.Server.Issuer, claims.GetProperty("iss").GetString());
        Assert.Equal(fixture.DanaSub, claims.GetProperty("sub").GetString());
        Assert.Equal(fixture.WebApp.ClientId, claims.GetProperty("aud").GetString());
        Assert.Equal(fixture.WebApp.ClientId, claims.GetProperty("azp").GetString());
        Assert.Equal("nonce-abc", claims.GetProperty("nonce").GetString());
        Assert.StartsWith("sid_", claims.GetProperty("sid").GetString());
        Assert.Equal("pwd", claims.GetProperty("amr")[0].GetString());
        Assert.True(claims.GetProperty("auth_time").GetInt64() <= claims.GetProperty("iat").GetInt64());
        Assert.True(claims.GetProperty("exp").GetInt64() > claims.GetProperty("iat").GetInt64());
        Assert.Equal(AtHash(response.Text("access_token")!), claims.GetProperty("at_hash").GetString());
        Assert.Equal("Dana Director", claims.GetProperty("name").GetString());
        Assert.Equal("Dana", claims.GetProperty("given_name").GetString());
        Assert.Equal("Director", claims.GetProperty("family_name").GetString());
        Assert.Equal(SignInFixture.DanaEmail, claims.GetProperty("email").GetString());
        Assert.True(claims.GetProperty("email_verified").GetBoolean());
        var companies = claims.GetProperty("companies");
        Assert.Equal(2, companies.GetArrayLength());
        Assert.Equal("01234567", companies[0].GetProperty("company_number").GetString());
        Assert.Equal("Acme Lending Ltd", companies[0].GetProperty("name").GetString());
        Assert.Equal("director", companies[0].GetProperty("role").GetString());
        Assert.Equal("signatory", companies[1].GetProperty("role").GetString());
    }

    [Fact]
    public async Task Code_ProfileOnly_IdTokenCarriesNoEmailNorCompanies()
    {
        var pkce = PkcePair.New();
        var response = await fixture.RedeemAsync(fixture.WebApp, await fixture.CodeAsync(fixture.WebApp, pkce, "openid profile"), pkce);
        var claims = TestJwt.Parse(response.Text("id_token")!).Payload;
        Assert.True(claims.TryGetProperty("name", out _));
        Assert.False(claims.TryGetProperty("email", out _));
        Assert.False(claims.TryGetProperty("companies", out _));
    }

    [Fact]
    public async Task Code_ApiScopesWithoutOpenId_IsPlainOAuthWithoutIdToken()
    {
        var pkce = PkcePair.New();
        var response = await fixture.RedeemAsync(fixture.WebApp, await fixture.CodeAsync(fixture.WebApp, pkce, "decisions:read"), pkce);
        OAuthAssert.Status(HttpStatusCode.OK, response);
        Assert.Null(response.Text("id_token"));
        Assert.Equal("decisions:read", response.Text("scope"));
    }

    [Fact]
    public async Task Code_Rs256Client_GetsRs256IdToken()
    {
        var pkce = PkcePair.New();
        var response = await fixture.RedeemAsync(fixture.Rs256App, await fixture.CodeAsync(fixture.Rs256App, pkce, "openid"), pkce);
        var id = TestJwt.Parse(response.Text("id_token")!);
        Assert.Equal("RS256", id.Header.GetProperty("alg").GetString());
        Assert.Equal("ES256", TestJwt.Parse(response.Text("access_token")!).Header.GetProperty("alg").GetString());
        Assert.Contains(id.Kid, (await fixture.OAuth.GetAsync(OAuthPaths.Jwks)).Body);
        Assert.Null(response.Text("refresh_token")); // no refresh_token grant
    }

    [Fact]
    public async Task Code_UsedTwice_SecondIsInvalidGrantAndRevokesWhatTheFirstIssued()
    {
        var pkce = PkcePair.New();
        var code = await fixture.CodeAsync(fixture.WebApp, pkce, "openid decisions:read");
        var first = await fixture.RedeemAsync(fixture.WebApp, code, pkce);
        OAuthAssert.Status(HttpStatusCode.OK, first);
        var introspector = fixture.WebApp;
        OAuthAssert.Active(await Introspect(first.Text("access_token")!));

        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_grant", await fixture.RedeemAsync(fixture.WebApp, code, pkce));
        OAuthAssert.Inactive(await Introspect(first.Text("access_token")!));
        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_grant",
            await fixture.TokenAsync(fixture.WebApp, ("grant_type", "refresh_token"), ("refresh_token", first.Text("refresh_token")!)));

        Task<OAuthResponse> Introspect(string token) => fixture.OAuth.IntrospectAsync(token, introspector.ClientId, introspector.Secret!);
    }

    [Fact]
    public async Task Code_WrongVerifier_IsInvalidGrantAndTheCodeStillWorks()
    {
        var pkce = PkcePair.New();
        var code = await fixture.CodeAsync(fixture.WebApp, pkce);
        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_grant", await fixture.RedeemAsync(fixture.WebApp, code, PkcePair.New()));
        OAuthAssert.Status(HttpStatusCode.OK, await fixture.RedeemAsync(fixture.WebApp, code, pkce));
    }

    [Fact]
    public async Task Code_WrongRedirectUri_IsInvalidGrant()
    {
        var pkce = PkcePair.New();
        var code = await fixture.CodeAsync(fixture.WebApp, pkce);
        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_grant",
            await fixture.RedeemAsync(fixture.WebApp, code, pkce, redirectUri: "https://portal.acme.example/other"));
    }

    [Fact]
    public async Task Code_RedeemedByAnotherClient_IsInvalidGrantAndLeftForItsOwner()
    {
        var pkce = PkcePair.New();
        var code = await fixture.CodeAsync(fixture.WebApp, pkce);
        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_grant",
            await fixture.RedeemAsync(fixture.Rs256App, code, pkce, redirectUri: fixture.WebApp.RedirectUri));
        OAuthAssert.Status(HttpStatusCode.OK, await fixture.RedeemAsync(fixture.WebApp, code, pkce));
    }

    [Fact]
    public async Task Code_AfterItsLifetime_IsInvalidGrant()
    {
        var pkce = PkcePair.New();
        var code = await fixture.CodeAsync(fixture.WebApp, pkce);
        await Task.Delay(TimeSpan.FromSeconds(3.5)); // the fixture's codes live 3 s
        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_grant", await fixture.RedeemAsync(fixture.WebApp, code, pkce));
    }

    [Theory]
    [InlineData("code")]
    [InlineData("redirect_uri")]
    [InlineData("code_verifier")]
    public async Task Code_MissingParameter_IsInvalidRequest(string missing)
    {
        var pkce = PkcePair.New();
        var fields = new List<(string, string)> { ("grant_type", "authorization_code"), ("code", "ghac_x"), ("redirect_uri", fixture.WebApp.RedirectUri),
            ("code_verifier", pkce.Verifier) };
        fields.RemoveAll(f => f.Item1 == missing);
        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_request", await fixture.TokenAsync(fixture.WebApp, [.. fields]));
    }

    [Fact]
    public async Task Code_UnknownCode_IsInvalidGrant() =>
        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_grant", await fixture.RedeemAsync(fixture.WebApp, "ghac_unknown", PkcePair.New()));

    [Fact]
    public async Task Code_PublicClientWithClientIdOnly_GetsTokens()
    {
        var pkce = PkcePair.New();
        var response = await fixture.RedeemAsync(fixture.PublicApp, await fixture.CodeAsync(fixture.PublicApp, pkce, "openid decisions:read"), pkce);
        OAuthAssert.Status(HttpStatusCode.OK, response);
        Assert.NotNull(response.Text("refresh_token"));
    }

    [Fact]
    public async Task ClientCredentials_PublicClient_IsUnauthorizedClient() =>
        OAuthAssert.Error(HttpStatusCode.BadRequest, "unauthorized_client", await fixture.TokenAsync(fixture.PublicApp, ("grant_type", "client_credentials")));

    [Fact]
    public async Task Token_ConfidentialClientWithoutSecret_IsInvalidClient() =>
        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client",
            await fixture.TokenAsync(fixture.WebApp with { Secret = null }, ("grant_type", "authorization_code"), ("code", "x")));

    static string AtHash(string accessToken)
    {
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(accessToken));
        return Convert.ToBase64String(hash, 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
