using System.Net;
using System.Net.Http.Headers;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.SignIn;

/// Findings of the security review of sign-in, each pinned: revoke-all reaches refresh tokens, a revoked grant
/// never leaves a live token behind, parallel guesses are throttled, and bad input answers 4xx.
public sealed class ReviewFindingsTests(SignInFixture fixture) : IClassFixture<SignInFixture>
{
    async Task<OAuthResponse> SignedInAsync(SignInClient client, string scope = "openid decisions:read")
    {
        var pkce = PkcePair.New();
        var response = await fixture.RedeemAsync(client, await fixture.CodeAsync(client, pkce, scope), pkce);
        OAuthAssert.Status(HttpStatusCode.OK, response);
        return response;
    }

    [Fact]
    public async Task RevokeAllTokens_AlsoEndsTheClientsRefreshTokens()
    {
        var client = await SignInClient.CreateAsync(fixture.DataDirectory, "Revoke-all app", "https://revoke-all.acme.example/cb",
            "--grant-type", "authorization_code", "--grant-type", "refresh_token");
        await Task.Delay(1000);
        var signedIn = await SignedInAsync(client);
        var basic = OAuthTestClient.Basic(client.ClientId, client.Secret!);
        var revokeAll = await fixture.OAuth.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/oauth/clients/{client.ClientId}/tokens")
        {
            Headers = { Authorization = basic },
        });
        OAuthAssert.Status(HttpStatusCode.OK, revokeAll);
        OAuthAssert.Inactive(await fixture.OAuth.IntrospectAsync(signedIn.Text("refresh_token")!, client.ClientId, client.Secret!));
        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_grant",
            await fixture.TokenAsync(client, ("grant_type", "refresh_token"), ("refresh_token", signedIn.Text("refresh_token")!)));
    }

    [Fact]
    public async Task RefreshRacingRevocation_NoAccessTokenOutlivesTheRevokedGrant()
    {
        for (var round = 0; round < 6; round++)
        {
            var signedIn = await SignedInAsync(fixture.WebApp);
            var refresh = signedIn.Text("refresh_token")!;
            var refreshing = Enumerable.Range(0, 3).Select(_ =>
                fixture.TokenAsync(fixture.WebApp, ("grant_type", "refresh_token"), ("refresh_token", refresh))).ToArray();
            var revoking = fixture.OAuth.PostFormAsync(OAuthPaths.Revoke, [new("token", refresh)],
                OAuthTestClient.Basic(fixture.WebApp.ClientId, fixture.WebApp.Secret!));
            await Task.WhenAll([.. refreshing, revoking]);
            OAuthAssert.Status(HttpStatusCode.OK, await revoking);
            foreach (var winner in refreshing.Select(r => r.Result).Where(r => r.Status == HttpStatusCode.OK))
                OAuthAssert.Inactive(await fixture.OAuth.IntrospectAsync(winner.Text("access_token")!, fixture.WebApp.ClientId, fixture.WebApp.Secret!));
        }
    }

    [Fact]
    public async Task Authorize_HugeMaxAge_IsNoServerError()
    {
        using var browser = new SignInBrowser(fixture.Server);
        await fixture.CodeAsync(fixture.Trusted, PkcePair.New(), "openid", SignInFixture.SamEmail, browser);
        var page = await browser.GetAsync(fixture.Trusted.AuthorizeUrl(PkcePair.New(), "openid",
            overrides: new Dictionary<string, string?> { ["max_age"] = "999999999999999" }));
        Assert.Equal(HttpStatusCode.Found, page.Status);
        Assert.True(page.RedirectQuery().ContainsKey("code"));
    }

    [Theory]
    [InlineData("/oauth/authorize")]
    [InlineData("/oauth/logout")]
    public async Task Post_MalformedForm_IsA400PageNotA500(string path)
    {
        using var browser = new SignInBrowser(fixture.Server);
        var multipart = new ByteArrayContent("garbage"u8.ToArray());
        multipart.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data");
        var page = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = multipart });
        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        var tooMany = new StringContent(string.Join('&', Enumerable.Range(0, 1500).Select(i => $"k{i}=v")));
        tooMany.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = tooMany })).Status);
    }

    [Fact]
    public async Task UserInfo_TokenInHeaderAndBody_IsInvalidRequest()
    {
        var signedIn = await SignedInAsync(fixture.WebApp);
        var request = new HttpRequestMessage(HttpMethod.Post, "/public/v1/userinfo")
        {
            Content = new FormUrlEncodedContent([new("access_token", signedIn.Text("access_token")!)]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", signedIn.Text("access_token"));
        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_request", await fixture.OAuth.SendAsync(request));
    }
}

/// Parallel guesses for one account get no more than the five failures the window allows.
public sealed class ParallelLoginThrottleTests
{
    [Fact]
    public async Task Login_TwelveParallelWrongPasswords_AtMostFiveAreEvaluated()
    {
        using var data = new ScratchDirectory();
        await GatehouseCli.CreateUserAsync(data.Path, "target@acme.example", SignInFixture.Password, "Target");
        var client = await SignInClient.CreateAsync(data.Path, "App", "https://app.acme.example/cb", "--grant-type", "authorization_code", "--no-consent");
        await using var server = await GatehouseProcess.StartAsync(data.Path);
        using var browser = new SignInBrowser(server);
        var page = await browser.GetAsync(client.AuthorizeUrl(PkcePair.New(), "openid"));
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => browser.LogInAsync(page, "target@acme.example", "guess-" + i)));
        Assert.InRange(answers.Count(a => a.Shows("Incorrect email or password.")), 1, 5);
        Assert.True((await browser.LogInAsync(page, "target@acme.example", SignInFixture.Password)).Shows("Too many attempts. Try again in a few minutes."));
    }
}
