using Gatehouse.Server.Tests.Harness;
using Gatehouse.Server.Tests.Integration.SignIn;
using Microsoft.Playwright;

namespace Gatehouse.Server.Tests.Browser;

/// Issue 8, interoperability: samples/PartnerWebApp is ASP.NET Core's stock OpenIdConnect handler (code + PKCE),
/// driven in Chromium through login, consent, claims shown, refresh and sign-out.
[Collection(ChromiumCollection.Name)]
public sealed class PartnerWebAppTests(Chromium chromium, SignInFixture fixture) : IClassFixture<SignInFixture>
{
    [Fact]
    public async Task PartnerWebApp_StockOpenIdConnectHandler_SignsInShowsCompaniesRefreshesAndSignsOut()
    {
        var port = SampleAppProcess.FreePort();
        var app = $"http://localhost:{port}";
        var client = await SignInClient.CreateAsync(fixture.DataDirectory, "Acme Portal (sample)", app + "/signin-oidc",
            "--grant-type", "authorization_code", "--grant-type", "refresh_token", "--post-logout-redirect-uri", app + "/signout-callback-oidc");
        await Task.Delay(1000); // the running server picks the CLI's client up within a second
        await using var sample = await SampleAppProcess.StartAsync("PartnerWebApp.dll", port, new Dictionary<string, string>
        {
            ["Gatehouse:Authority"] = fixture.Server.Issuer,
            ["Gatehouse:ClientId"] = client.ClientId,
            ["Gatehouse:ClientSecret"] = client.Secret!,
        });

        var page = await chromium.NewPageAsync();
        await page.GotoAsync(app + "/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Gatehouse" }).ClickAsync();
        await page.GetByLabel("Email").FillAsync(SignInFixture.DanaEmail);
        await page.GetByLabel("Password").FillAsync(SignInFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Acme Portal (sample) wants to access your account" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Allow" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Dana Director" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#sub")).ToHaveTextAsync(fixture.DanaSub);
        await Assertions.Expect(page.Locator("#email")).ToHaveTextAsync(SignInFixture.DanaEmail);
        await Assertions.Expect(page.Locator("#companies li")).ToHaveTextAsync(["Acme Lending Ltd (01234567), director", "Acme Scotland Ltd (SC765432), signatory"]);
        await Chromium.ScreenshotAsync(page, "partner-web-app-signed-in");

        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh tokens" }).ClickAsync();
        await Assertions.Expect(page.Locator("#refreshed")).ToContainTextAsync("Tokens refreshed at");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        // The app's id_token_hint named the session's person: Gatehouse signs out without asking and returns.
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Gatehouse" })).ToBeVisibleAsync();
        Assert.StartsWith(app, page.Url);

        // Both sessions are over: signing in again asks for the password.
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Gatehouse" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }
}
