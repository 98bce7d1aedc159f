using System.Net;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.SignIn;

/// SPEC 8 "Refresh tokens"; RFC 6749 §6, RFC 9700 §4.14.2, RFC 7009, RFC 7662.
public sealed class RefreshTokenGrantTests(SignInFixture fixture) : IClassFixture<SignInFixture>
{
    async Task<OAuthResponse> SignedInAsync(string scope = "openid profile decisions:read applications:read")
    {
        var pkce = PkcePair.New();
        var response = await fixture.RedeemAsync(fixture.WebApp, await fixture.CodeAsync(fixture.WebApp, pkce, scope), pkce);
        OAuthAssert.Status(HttpStatusCode.OK, response);
        return response;
    }

    Task<OAuthResponse> RefreshAsync(string refreshToken, string? scope = null) => scope is null
        ? fixture.TokenAsync(fixture.WebApp, ("grant_type", "refresh_token"), ("refresh_token", refreshToken))
        : fixture.TokenAsync(fixture.WebApp, ("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("scope", scope));

    Task<OAuthResponse> IntrospectAsync(string token, SignInClient? caller = null)
    {
        caller ??= fixture.WebApp;
        return fixture.OAuth.IntrospectAsync(token, caller.ClientId, caller.Secret!);
    }

    [Fact]
    public async Task Refresh_EveryUse_RotatesAndKillsTheOldToken()
    {
        var signedIn = await SignedInAsync();
        var first = signedIn.Text("refresh_token")!;
        var refreshed = await RefreshAsync(first);
        OAuthAssert.Status(HttpStatusCode.OK, refreshed);
        var second = refreshed.Text("refresh_token")!;
        Assert.NotEqual(first, second);
        Assert.NotNull(refreshed.Text("id_token"));
        Assert.Equal(fixture.DanaSub, TestJwt.Parse(refreshed.Text("access_token")!).Payload.GetProperty("sub").GetString());
        OAuthAssert.Status(HttpStatusCode.OK, await RefreshAsync(second));
    }

    [Fact]
    public async Task Refresh_UsedTokenPresentedAgain_RevokesTheWholeGrant()
    {
        var signedIn = await SignedInAsync();
        var first = signedIn.Text("refresh_token")!;
        var refreshed = await RefreshAsync(first);
        OAuthAssert.Status(HttpStatusCode.OK, refreshed);

        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_grant", await RefreshAsync(first));
        // Every access token of the grant and its newest refresh token are dead too.
        OAuthAssert.Inactive(await IntrospectAsync(signedIn.Text("access_token")!));
        OAuthAssert.Inactive(await IntrospectAsync(refreshed.Text("access_token")!));
        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_grant", await RefreshAsync(refreshed.Text("refresh_token")!));
        // ... and resource servers hear of it through the revocation feed.
        var feed = await fixture.OAuth.GetAsync("/oauth/revocations", r => r.Headers.Authorization = OAuthTestClient.Basic(fixture.FeedReader.ClientId, fixture.FeedReader.ClientSecret));
        Assert.Contains(TestJwt.Parse(refreshed.Text("access_token")!).Payload.GetProperty("jti").GetString()!, feed.Body);
    }

    [Fact]
    public async Task Refresh_ConcurrentRedemptions_ExactlyOneWins()
    {
        var signedIn = await SignedInAsync();
        var token = signedIn.Text("refresh_token")!;
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => RefreshAsync(token)));
        Assert.Equal(1, results.Count(r => r.Status == HttpStatusCode.OK));
        Assert.All(results.Where(r => r.Status != HttpStatusCode.OK), r => Assert.Equal("invalid_grant", r.Text("error")));
        // The losers were reuse: the winner's tokens died with the grant.
        var winner = results.Single(r => r.Status == HttpStatusCode.OK);
        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_grant", await RefreshAsync(winner.Text("refresh_token")!));
    }

    [Fact]
    public async Task Refresh_NarrowerScope_NarrowsTheAccessTokenOnly()
    {
        var signedIn = await SignedInAsync();
        var narrowed = await RefreshAsync(signedIn.Text("refresh_token")!, "decisions:read");
        OAuthAssert.Status(HttpStatusCode.OK, narrowed);
        Assert.Equal("decisions:read", TestJwt.Parse(narrowed.Text("access_token")!).Payload.GetProperty("scope").GetString());
        Assert.Null(narrowed.Text("id_token")); // no openid in the narrowed scope
        var full = await RefreshAsync(narrowed.Text("refresh_token")!);
        OAuthAssert.SameScopes("openid profile decisions:read applications:read", full.Text("scope"));
    }

    [Fact]
    public async Task Refresh_WiderScope_IsInvalidScope()
    {
        var signedIn = await SignedInAsync("openid decisions:read");
        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_scope", await RefreshAsync(signedIn.Text("refresh_token")!, "decisions:read applications:read"));
    }

    [Fact]
    public async Task Refresh_AnotherClientsToken_IsInvalidGrantAndLeavesItAlive()
    {
        var signedIn = await SignedInAsync();
        var token = signedIn.Text("refresh_token")!;
        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_grant",
            await fixture.TokenAsync(fixture.PublicApp, ("grant_type", "refresh_token"), ("refresh_token", token)));
        OAuthAssert.Status(HttpStatusCode.OK, await RefreshAsync(token));
    }

    [Fact]
    public async Task Introspect_RefreshToken_ActiveOnlyForItsOwnClient()
    {
        var signedIn = await SignedInAsync();
        var token = signedIn.Text("refresh_token")!;
        var own = await IntrospectAsync(token);
        OAuthAssert.Active(own);
        Assert.Equal("refresh_token", own.Text("token_type"));
        Assert.Equal(fixture.DanaSub, own.Text("sub"));
        Assert.Equal(fixture.WebApp.ClientId, own.Text("client_id"));

        var partner = await GatehouseCli.CreateClientAsync(fixture.DataDirectory, "other-introspector");
        await Task.Delay(1000); // the running server picks up the CLI's client within a second
        OAuthAssert.Inactive(await fixture.OAuth.IntrospectAsync(token, partner));
    }

    [Fact]
    public async Task Revoke_RefreshToken_RevokesItsGrantAndAccessTokens()
    {
        var signedIn = await SignedInAsync();
        var revoke = await fixture.OAuth.PostFormAsync(OAuthPaths.Revoke, [new("token", signedIn.Text("refresh_token")!)],
            OAuthTestClient.Basic(fixture.WebApp.ClientId, fixture.WebApp.Secret!));
        OAuthAssert.Status(HttpStatusCode.OK, revoke);
        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_grant", await RefreshAsync(signedIn.Text("refresh_token")!));
        OAuthAssert.Inactive(await IntrospectAsync(signedIn.Text("access_token")!));
    }

    [Fact]
    public async Task Revoke_PublicClientOwnRefreshToken_WithClientIdOnly()
    {
        var pkce = PkcePair.New();
        var signedIn = await fixture.RedeemAsync(fixture.PublicApp, await fixture.CodeAsync(fixture.PublicApp, pkce, "openid"), pkce);
        var revoke = await fixture.OAuth.PostFormAsync(OAuthPaths.Revoke,
            [new("token", signedIn.Text("refresh_token")!), new("client_id", fixture.PublicApp.ClientId)]);
        OAuthAssert.Status(HttpStatusCode.OK, revoke);
        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_grant",
            await fixture.TokenAsync(fixture.PublicApp, ("grant_type", "refresh_token"), ("refresh_token", signedIn.Text("refresh_token")!)));
    }

    [Fact]
    public async Task Refresh_ClientWithoutRefreshGrant_IsUnauthorizedClient() =>
        OAuthAssert.Error(HttpStatusCode.BadRequest, "unauthorized_client",
            await fixture.TokenAsync(fixture.Rs256App, ("grant_type", "refresh_token"), ("refresh_token", "ghrt_x")));
}
