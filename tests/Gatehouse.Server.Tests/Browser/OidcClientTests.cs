using Duende.IdentityModel.OidcClient;
using Duende.IdentityModel.OidcClient.Browser;
using Gatehouse.Server.Tests.Harness;
using Gatehouse.Server.Tests.Integration.SignIn;
using Microsoft.Playwright;

namespace Gatehouse.Server.Tests.Browser;

/// Issue 8, interoperability: Duende.IdentityModel.OidcClient (a certified client library) does code + PKCE,
/// its browser step driven in Chromium, then refresh and userinfo; with ES256 and with RS256 ID tokens.
[Collection(ChromiumCollection.Name)]
public sealed class OidcClientTests(Chromium chromium, SignInFixture fixture) : IClassFixture<SignInFixture>
{
    [Theory]
    [InlineData("ES256")]
    [InlineData("RS256")]
    public async Task OidcClient_CodePkceRefreshAndUserInfo_Work(string algorithm)
    {
        var redirectUri = $"http://127.0.0.1:{SampleAppProcess.FreePort()}/callback";
        var registered = await SignInClient.CreateAsync(fixture.DataDirectory, "Native app " + algorithm, "http://127.0.0.1/callback",
            "--public", "--grant-type", "authorization_code", "--grant-type", "refresh_token", "--id-token-alg", algorithm);
        await Task.Delay(1000);

        var oidc = new OidcClient(new OidcClientOptions
        {
            Authority = fixture.Server.Issuer,
            ClientId = registered.ClientId,
            RedirectUri = redirectUri, // a public client's loopback redirect matches on any port (RFC 8252 §7.3)
            Scope = "openid profile email companies offline_access",
            Policy = new Policy { Discovery = { RequireHttps = false } },
            Browser = new ChromiumBrowser(chromium),
        });

        var login = await oidc.LoginAsync();
        Assert.False(login.IsError, login.Error + " " + login.ErrorDescription);
        Assert.Equal(fixture.DanaSub, login.User.FindFirst("sub")?.Value);
        Assert.Equal("Dana Director", login.User.FindFirst("name")?.Value);
        Assert.Equal(algorithm, TestJwt.Parse(login.IdentityToken).Header.GetProperty("alg").GetString());

        var refreshed = await oidc.RefreshTokenAsync(login.RefreshToken);
        Assert.False(refreshed.IsError, refreshed.Error + " " + refreshed.ErrorDescription);
        Assert.NotEqual(login.RefreshToken, refreshed.RefreshToken);

        var info = await oidc.GetUserInfoAsync(refreshed.AccessToken);
        Assert.False(info.IsError, info.Error);
        Assert.Equal(SignInFixture.DanaEmail, info.Claims.Single(c => c.Type == "email").Value);
        Assert.Contains(info.Claims, c => c.Type == "companies" && c.Value.Contains("01234567"));
    }

    /// OidcClient's browser step: a person signs in and allows in Chromium; the loopback redirect is captured.
    sealed class ChromiumBrowser(Chromium chromium) : Duende.IdentityModel.OidcClient.Browser.IBrowser
    {
        public async Task<BrowserResult> InvokeAsync(BrowserOptions options, CancellationToken cancellationToken = default)
        {
            var page = await chromium.NewPageAsync();
            var captured = new TaskCompletionSource<string>();
            await page.RouteAsync(options.EndUrl + "**", async route =>
            {
                captured.TrySetResult(route.Request.Url);
                await route.FulfillAsync(new RouteFulfillOptions { Status = 200, Body = "You can close this window." });
            });
            await page.GotoAsync(options.StartUrl);
            await page.GetByLabel("Email").FillAsync(SignInFixture.DanaEmail);
            await page.GetByLabel("Password").FillAsync(SignInFixture.Password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Allow" }).ClickAsync();
            var url = await captured.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
            await page.Context.CloseAsync();
            return new BrowserResult { ResultType = BrowserResultType.Success, Response = url };
        }
    }
}
