using System.Net;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.SignIn;

/// SPEC 8 "Authorization endpoint"; RFC 6749 §4.1.2.1, OIDC Core §3.1.2, RFC 7636, RFC 9207.
public sealed class AuthorizeEndpointTests(SignInFixture fixture) : IClassFixture<SignInFixture>
{
    static readonly PkcePair Pkce = PkcePair.New();

    [Fact]
    public async Task Authorize_UnknownClient_ShowsErrorPageAndNeverRedirects()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(Pkce, overrides: new Dictionary<string, string?> { ["client_id"] = "cc_client_nobody" }));
        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Null(page.Location);
        Assert.StartsWith("text/html", page.Header("Content-Type"));
        Assert.Contains("no-store", page.Header("Cache-Control"));
    }

    [Theory]
    [InlineData("https://evil.example/cb")]
    [InlineData("https://portal.acme.example/signin-oidc/extra")]
    [InlineData("https://PORTAL.acme.example/signin-oidc")]
    [InlineData(null)]
    public async Task Authorize_RedirectUriNotRegistered_ShowsErrorPageAndNeverRedirects(string? redirectUri)
    {
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(Pkce, overrides: new Dictionary<string, string?> { ["redirect_uri"] = redirectUri }));
        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Null(page.Location);
    }

    public static TheoryData<string, string?, string> RedirectedErrors => new()
    {
        { "response_type", null, "invalid_request" },
        { "response_type", "token", "unsupported_response_type" },
        { "response_type", "code id_token", "unsupported_response_type" },
        { "code_challenge", null, "invalid_request" },
        { "code_challenge_method", null, "invalid_request" },      // RFC 7636: missing means plain
        { "code_challenge_method", "plain", "invalid_request" },
        { "code_challenge", "too-short", "invalid_request" },
        { "scope", "profile email", "invalid_scope" },              // OIDC scopes need openid
        { "scope", "openid payments:write", "invalid_scope" },      // not granted to the client
        { "scope", "openid no-such-scope", "invalid_scope" },
        { "scope", null, "invalid_scope" },
        { "prompt", "bogus", "invalid_request" },
        { "prompt", "none login", "invalid_request" },
        { "max_age", "-5", "invalid_request" },
        { "max_age", "soon", "invalid_request" },
        { "request", "eyJhbGciOiJub25lIn0.e30.", "request_not_supported" },
        { "request_uri", "https://portal.acme.example/req/1", "request_uri_not_supported" },
        { "resource", "internal/v1", "invalid_target" },
        { "response_mode", "fragment", "invalid_request" },
    };

    [Theory]
    [MemberData(nameof(RedirectedErrors))]
    public async Task Authorize_InvalidParameter_RedirectsErrorWithStateAndIssuer(string parameter, string? value, string error)
    {
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(Pkce, overrides: new Dictionary<string, string?> { [parameter] = value }));
        Assert.Equal(HttpStatusCode.Found, page.Status);
        Assert.StartsWith(fixture.WebApp.RedirectUri + "?", page.Location);
        var query = page.RedirectQuery();
        Assert.Equal(error, query["error"]);
        Assert.True(query.ContainsKey("error_description"));
        Assert.Equal("st-123", query["state"]);
        Assert.Equal(fixture.Server.Issuer, query["iss"]);
        Assert.Contains("no-store", page.Header("Cache-Control"));
    }

    [Fact]
    public async Task Authorize_ClientWithoutAuthorizationCodeGrant_RedirectsUnauthorizedClient()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync(fixture.MachineOnly.AuthorizeUrl(Pkce));
        Assert.Equal("unauthorized_client", page.RedirectQuery()["error"]);
    }

    [Fact]
    public async Task Authorize_RepeatedParameter_RedirectsInvalidRequest()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(Pkce) + "&scope=openid");
        Assert.Equal("invalid_request", page.RedirectQuery()["error"]);
    }

    [Fact]
    public async Task Authorize_PromptNoneWithoutSession_RedirectsLoginRequired()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(Pkce, overrides: new Dictionary<string, string?> { ["prompt"] = "none" }));
        var query = page.RedirectQuery();
        Assert.Equal("login_required", query["error"]);
        Assert.Equal("st-123", query["state"]);
    }

    [Fact]
    public async Task Authorize_PromptNoneSignedInWithoutConsent_RedirectsConsentRequired()
    {
        using var browser = new SignInBrowser(fixture.Server);
        await fixture.CodeAsync(fixture.Trusted, PkcePair.New(), "openid", SignInFixture.SamEmail, browser); // a session, no consent to WebApp
        var page = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(Pkce, scope: "openid email", overrides: new Dictionary<string, string?> { ["prompt"] = "none" }));
        Assert.Equal("consent_required", page.RedirectQuery()["error"]);
    }

    [Fact]
    public async Task Authorize_Post_IsReadLikeGetAndErrorsRedirectWith303()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var url = new Uri(new Uri(fixture.Server.BaseAddress), fixture.WebApp.AuthorizeUrl(Pkce, overrides: new Dictionary<string, string?> { ["response_type"] = "token" }));
        var fields = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(url.Query).Select(kv => new KeyValuePair<string, string>(kv.Key, kv.Value.ToString()));
        var page = await browser.PostAsync("/oauth/authorize", fields);
        Assert.Equal(HttpStatusCode.SeeOther, page.Status);
        Assert.Equal("unsupported_response_type", page.RedirectQuery()["error"]);

        var valid = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(new Uri(fixture.Server.BaseAddress), fixture.WebApp.AuthorizeUrl(Pkce)).Query)
            .Select(kv => new KeyValuePair<string, string>(kv.Key, kv.Value.ToString()));
        var login = await browser.PostAsync("/oauth/authorize", valid);
        Assert.Equal(HttpStatusCode.OK, login.Status);
        Assert.Contains("action=\"/oauth/login\"", login.Body);
    }

    [Fact]
    public async Task Authorize_NoSession_ShowsLoginPageWithSecurityHeaders()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(Pkce));
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("action=\"/oauth/login\"", page.Body);
        Assert.True(page.Shows("Acme Portal"));
        var csp = page.Header("Content-Security-Policy")!;
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.DoesNotContain("form-action", csp);
        Assert.Equal("DENY", page.Header("X-Frame-Options"));
        Assert.Equal("no-referrer", page.Header("Referrer-Policy"));
        Assert.Contains("no-store", page.Header("Cache-Control"));
        Assert.Contains("__RequestVerificationToken", page.Body);
    }

    [Fact]
    public async Task Authorize_SignedInAndConsented_RedirectsCodeWithStateAndIssuer()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var answer = await browser.SignInAsync(fixture.WebApp.AuthorizeUrl(Pkce), SignInFixture.DanaEmail, SignInFixture.Password);
        Assert.Equal(HttpStatusCode.SeeOther, answer.Status); // after the consent form
        var query = answer.RedirectQuery();
        Assert.StartsWith("ghac_", query["code"]);
        Assert.Equal("st-123", query["state"]);
        Assert.Equal(fixture.Server.Issuer, query["iss"]);

        // Signed in and consented: the next request answers at once, without a page.
        var again = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(PkcePair.New(), state: "second"));
        Assert.Equal(HttpStatusCode.Found, again.Status);
        Assert.Equal("second", again.RedirectQuery()["state"]);
        Assert.True(again.RedirectQuery().ContainsKey("code"));
    }

    [Fact]
    public async Task Authorize_FormPostMode_ReturnsAutoSubmittingFormToRedirectUri()
    {
        using var browser = new SignInBrowser(fixture.Server);
        await fixture.CodeAsync(fixture.Trusted, PkcePair.New(), "openid", browser: browser);
        var page = await browser.GetAsync(fixture.Trusted.AuthorizeUrl(Pkce, "openid", overrides: new Dictionary<string, string?> { ["response_mode"] = "form_post" }));
        Assert.Equal(HttpStatusCode.OK, page.Status);
        var fields = page.Form(fixture.Trusted.RedirectUri);
        Assert.StartsWith("ghac_", fields["code"]);
        Assert.Equal("st-123", fields["state"]);
        Assert.Equal(fixture.Server.Issuer, fields["iss"]);
        Assert.Contains("<script src=\"/assets/form-post.js\"></script>", page.Body);
    }

    [Fact]
    public async Task Authorize_PublicClientLoopbackRedirect_MatchesAnyPort()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var client = fixture.PublicApp with { RedirectUri = "http://127.0.0.1:53117/callback" };
        var answer = await browser.SignInAsync(client.AuthorizeUrl(Pkce, "openid"), SignInFixture.DanaEmail, SignInFixture.Password);
        Assert.StartsWith("http://127.0.0.1:53117/callback?", answer.Location);

        var otherPath = fixture.PublicApp with { RedirectUri = "http://127.0.0.1:53117/other" };
        var refused = await browser.GetAsync(otherPath.AuthorizeUrl(Pkce, "openid"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
    }

    [Fact]
    public async Task Authorize_ConfidentialClientLoopbackOnOtherPort_IsRefused()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(Pkce, overrides: new Dictionary<string, string?> { ["redirect_uri"] = "http://127.0.0.1:9999/callback" }));
        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
    }
}
