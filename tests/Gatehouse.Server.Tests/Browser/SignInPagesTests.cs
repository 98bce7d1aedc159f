using Gatehouse.Server.Tests.Harness;
using Gatehouse.Server.Tests.Integration.SignIn;
using Microsoft.Playwright;

namespace Gatehouse.Server.Tests.Browser;

/// SPEC 8 "Pages" as a person uses them: real Chromium, elements found by role and accessible name,
/// screenshots saved, axe-core with no serious or critical violation.
[Collection(ChromiumCollection.Name)]
public sealed class SignInPagesTests(Chromium chromium, SignInFixture fixture) : IClassFixture<SignInFixture>
{
    /// The client's redirect URI has no server behind it: the browser stops there and the test reads the URL.
    static async Task<string> CaptureRedirectAsync(IPage page, string redirectUri)
    {
        var captured = new TaskCompletionSource<string>();
        await page.RouteAsync(redirectUri + "**", async route =>
        {
            captured.TrySetResult(route.Request.Url);
            await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = "text/html", Body = "<!DOCTYPE html><title>Back at the app</title>" });
        });
        return await captured.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task LoginConsentAndSignOut_InChromium_WorkByAccessibleNamesAndPassAxe()
    {
        var page = await chromium.NewPageAsync();
        var redirect = CaptureRedirectAsync(page, fixture.WebApp.RedirectUri);
        await page.GotoAsync(fixture.Server.BaseAddress + fixture.WebApp.AuthorizeUrl(PkcePair.New(), "openid profile email companies decisions:read"));

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Chromium.AssertAccessibleAsync(page);
        await Chromium.ScreenshotAsync(page, "signin-login");

        await page.GetByLabel("Email").FillAsync(SignInFixture.DanaEmail);
        await page.GetByLabel("Password").FillAsync("not my password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Incorrect email or password.");
        await Chromium.AssertAccessibleAsync(page);
        await Chromium.ScreenshotAsync(page, "signin-login-error");

        await page.GetByLabel("Password").FillAsync(SignInFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Allow" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Acme Lending Ltd (01234567), director")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Read decision outcomes, offered terms and the reason codes")).ToBeVisibleAsync();
        await Chromium.AssertAccessibleAsync(page);
        await Chromium.ScreenshotAsync(page, "signin-consent");

        await page.GetByRole(AriaRole.Button, new() { Name = "Allow" }).ClickAsync();
        var answer = new Uri(await redirect);
        Assert.Contains("code=ghac_", answer.Query);
        Assert.Contains("state=st-123", answer.Query);

        await page.GotoAsync(fixture.Server.BaseAddress + "/oauth/logout");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await Chromium.AssertAccessibleAsync(page);
        await Chromium.ScreenshotAsync(page, "signin-signout");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are signed out" })).ToBeVisibleAsync();
        await Chromium.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task DenyInChromium_ReturnsAccessDeniedToTheClient()
    {
        var page = await chromium.NewPageAsync();
        var redirect = CaptureRedirectAsync(page, fixture.WebApp.RedirectUri);
        await page.GotoAsync(fixture.Server.BaseAddress + fixture.WebApp.AuthorizeUrl(PkcePair.New(), "openid email"));
        await page.GetByLabel("Email").FillAsync(SignInFixture.SamEmail);
        await page.GetByLabel("Password").FillAsync(SignInFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Deny" }).ClickAsync();
        Assert.Contains("error=access_denied", new Uri(await redirect).Query);
    }

    [Fact]
    public async Task ErrorPage_UnknownClient_IsAccessibleAndSaysWhy()
    {
        var page = await chromium.NewPageAsync();
        var response = await page.GotoAsync(fixture.Server.BaseAddress + "/oauth/authorize?client_id=cc_client_nobody&response_type=code");
        Assert.Equal(400, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign-in could not start" })).ToBeVisibleAsync();
        await Chromium.AssertAccessibleAsync(page);
        await Chromium.ScreenshotAsync(page, "signin-error");
    }
}
