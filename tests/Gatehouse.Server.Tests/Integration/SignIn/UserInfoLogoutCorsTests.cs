using System.Net;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.SignIn;

/// SPEC 8 "Userinfo", "End session", "Browser clients" and the discovery additions.
public sealed class UserInfoLogoutCorsTests(SignInFixture fixture) : IClassFixture<SignInFixture>
{
    async Task<OAuthResponse> TokensAsync(SignInClient client, string scope, SignInBrowser? browser = null)
    {
        var pkce = PkcePair.New();
        var response = await fixture.RedeemAsync(client, await fixture.CodeAsync(client, pkce, scope, browser: browser), pkce);
        OAuthAssert.Status(HttpStatusCode.OK, response);
        return response;
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task UserInfo_SignInToken_AnswersTheConsentedClaimsAsTheIdTokenHasThem(string method)
    {
        var tokens = await TokensAsync(fixture.WebApp, "openid profile companies");
        var request = new HttpRequestMessage(new HttpMethod(method), "/public/v1/userinfo");
        request.Headers.Authorization = new("Bearer", tokens.Text("access_token"));
        var info = await fixture.OAuth.SendAsync(request);
        OAuthAssert.Status(HttpStatusCode.OK, info);
        var id = TestJwt.Parse(tokens.Text("id_token")!).Payload;
        foreach (var claim in new[] { "sub", "name", "given_name", "family_name" })
            Assert.Equal(id.GetProperty(claim).GetString(), info.Json.GetProperty(claim).GetString());
        Assert.Equal(id.GetProperty("companies").GetRawText(), info.Json.GetProperty("companies").GetRawText());
        Assert.False(info.Json.TryGetProperty("email", out _));
    }

    [Fact]
    public async Task UserInfo_ClientCredentialsToken_Is401InvalidToken()
    {
        var machine = await GatehouseCli.CreateClientAsync(fixture.DataDirectory, "userinfo-machine", scope: "openid decisions:read");
        var token = await Eventually.Within(TimeSpan.FromSeconds(2), () => fixture.OAuth.RequestTokenBasicAsync(machine), r => r.Status == HttpStatusCode.OK, "the CLI's client works");
        var response = await fixture.OAuth.GetAsync("/public/v1/userinfo", r => r.Headers.Authorization = new("Bearer", token.Text("access_token")));
        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Contains("error=\"invalid_token\"", response.Header("WWW-Authenticate"));
    }

    [Fact]
    public async Task UserInfo_NoToken_Is401WithBearerChallenge()
    {
        var response = await fixture.OAuth.GetAsync("/public/v1/userinfo");
        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.StartsWith("Bearer", response.Header("WWW-Authenticate"));
    }

    [Fact]
    public async Task UserInfo_TokenWithoutOpenId_Is403InsufficientScope()
    {
        var tokens = await TokensAsync(fixture.WebApp, "decisions:read");
        var response = await fixture.OAuth.GetAsync("/public/v1/userinfo", r => r.Headers.Authorization = new("Bearer", tokens.Text("access_token")));
        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Contains("insufficient_scope", response.Header("WWW-Authenticate"));
    }

    [Fact]
    public async Task Logout_ValidIdTokenHint_EndsSessionWithoutAskingAndRedirectsWithState()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var tokens = await TokensAsync(fixture.WebApp, "openid", browser);
        var answer = await browser.GetAsync("/oauth/logout?id_token_hint=" + tokens.Text("id_token") +
            "&post_logout_redirect_uri=" + Uri.EscapeDataString("https://portal.acme.example/signed-out") + "&state=bye");
        Assert.Equal(HttpStatusCode.Found, answer.Status);
        Assert.Equal("https://portal.acme.example/signed-out?state=bye", answer.Location);
        // The session is over: the next authorization asks for the login page again.
        var next = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(PkcePair.New(), "openid"));
        Assert.Contains("action=\"/oauth/login\"", next.Body);
    }

    [Fact]
    public async Task Logout_WithoutHint_AsksThenSignsOutOnPost()
    {
        using var browser = new SignInBrowser(fixture.Server);
        await TokensAsync(fixture.WebApp, "openid", browser);
        var page = await browser.GetAsync("/oauth/logout");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains(">Sign out</button>", page.Body);
        Assert.Contains("no-store", page.Header("Cache-Control"));
        var still = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(PkcePair.New(), "openid"));
        Assert.True(still.RedirectQuery().ContainsKey("code")); // asking changed nothing

        var done = await browser.PostAsync("/oauth/logout", page.Form("/oauth/logout"));
        Assert.Equal(HttpStatusCode.OK, done.Status);
        Assert.True(done.Shows("You are signed out"));
        Assert.Contains("action=\"/oauth/login\"", (await browser.GetAsync(fixture.WebApp.AuthorizeUrl(PkcePair.New(), "openid"))).Body);
    }

    [Fact]
    public async Task Logout_ConfirmationWithoutAntiforgery_IsRefusedAndSessionSurvives()
    {
        using var browser = new SignInBrowser(fixture.Server);
        await TokensAsync(fixture.WebApp, "openid", browser);
        var page = await browser.GetAsync("/oauth/logout");
        var fields = page.Form("/oauth/logout");
        fields.Remove("__RequestVerificationToken");
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.PostAsync("/oauth/logout", fields)).Status);
        Assert.True((await browser.GetAsync(fixture.WebApp.AuthorizeUrl(PkcePair.New(), "openid"))).RedirectQuery().ContainsKey("code"));
    }

    [Fact]
    public async Task Logout_UnregisteredPostLogoutRedirect_IsErrorPageAndSessionUntouched()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var tokens = await TokensAsync(fixture.WebApp, "openid", browser);
        var answer = await browser.GetAsync("/oauth/logout?id_token_hint=" + tokens.Text("id_token") +
            "&post_logout_redirect_uri=" + Uri.EscapeDataString("https://evil.example/"));
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Null(answer.Location);
        Assert.True((await browser.GetAsync(fixture.WebApp.AuthorizeUrl(PkcePair.New(), "openid"))).RedirectQuery().ContainsKey("code"));
    }

    [Fact]
    public async Task Cors_PublicClientOrigin_AllowedOnTokenUserinfoRevoke_OtherOriginsNot()
    {
        foreach (var path in new[] { "/oauth/token", "/public/v1/userinfo", "/oauth/revoke" })
        {
            var allowed = await Preflight(path, "http://127.0.0.1");
            Assert.Equal("http://127.0.0.1", allowed.Header("Access-Control-Allow-Origin"));
            Assert.Contains("Authorization", allowed.Header("Access-Control-Allow-Headers"));
            var refused = await Preflight(path, "https://evil.example");
            Assert.Null(refused.Header("Access-Control-Allow-Origin"));
            // A confidential client's redirect origin is no browser client of ours.
            Assert.Null((await Preflight(path, "https://portal.acme.example")).Header("Access-Control-Allow-Origin"));
        }
        var actual = await fixture.OAuth.GetAsync("/public/v1/userinfo", r => r.Headers.Add("Origin", "http://127.0.0.1"));
        Assert.Equal("http://127.0.0.1", actual.Header("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Cors_DiscoveryAndJwks_AnswerAnyOrigin()
    {
        foreach (var path in new[] { OAuthPaths.OpenIdConfiguration, OAuthPaths.Jwks })
        {
            var response = await fixture.OAuth.GetAsync(path, r => r.Headers.Add("Origin", "https://anywhere.example"));
            Assert.Equal("*", response.Header("Access-Control-Allow-Origin"));
        }
    }

    Task<OAuthResponse> Preflight(string path, string origin) => fixture.OAuth.SendAsync(new HttpRequestMessage(HttpMethod.Options, path)
    {
        Headers = { { "Origin", origin }, { "Access-Control-Request-Method", "POST" }, { "Access-Control-Request-Headers", "authorization" } },
    });

    [Fact]
    public async Task Discovery_AdvertisesSignInAndEveryAdvertisedEndpointIsServed()
    {
        var discovery = await fixture.OAuth.GetAsync(OAuthPaths.OpenIdConfiguration);
        var json = discovery.Json;
        Assert.Equal(fixture.Server.Issuer + "/oauth/logout", json.GetProperty("end_session_endpoint").GetString());
        OAuthAssert.ContainsAll(["none", "login", "consent", "select_account"], json, "prompt_values_supported");
        OAuthAssert.ContainsAll(["query", "form_post"], json, "response_modes_supported");
        OAuthAssert.ContainsAll(["openid", "profile", "email", "companies", "offline_access"], json, "scopes_supported");
        OAuthAssert.ContainsAll(["sub", "auth_time", "nonce", "azp", "sid", "at_hash", "amr", "name", "email", "companies"], json, "claims_supported");
        Assert.Equal(["S256"], OAuthAssert.StringArray(json, "code_challenge_methods_supported"));
        foreach (var endpoint in new[] { "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "introspection_endpoint",
                     "revocation_endpoint", "end_session_endpoint" })
        {
            var url = new Uri(json.GetProperty(endpoint).GetString()!);
            var response = await fixture.OAuth.GetAsync(url.PathAndQuery);
            Assert.True(response.Status is not (HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed) || endpoint is "token_endpoint" or "introspection_endpoint" or "revocation_endpoint",
                $"{endpoint} {url} answered {(int)response.Status}");
        }
    }
}
