using System.Net;
using System.Text.RegularExpressions;
using Gatehouse.Server.Tests.Harness;
using Gatehouse.Server.Tests.Integration.Dashboard;
using Microsoft.Playwright;

namespace Gatehouse.Server.Tests.Browser;

/// SPEC 9 in real Chromium: seed 002's rotation through the dashboard pages, by accessible names, every page
/// checked with axe-core and saved as a screenshot; the client page and its chart also go to docs/images.
[Collection(ChromiumCollection.Name)]
public sealed class DashboardPagesTests(Chromium chromium, DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    static async Task CheckAsync(IPage page, string screenshot)
    {
        await Chromium.AssertAccessibleAsync(page);
        await Chromium.ScreenshotAsync(page, screenshot);
    }

    static async Task SignInAsync(IPage page, string baseAddress, string email)
    {
        await page.GotoAsync(baseAddress + "/dashboard");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(DashboardFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Clients", Exact = true })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Seed002Rotation_ThroughTheDashboard_InChromium()
    {
        var client = fixture.AcmePayments;
        var oauth = fixture.Server.OAuth;
        var page = await chromium.NewPageAsync();
        // dashboard.js asks confirm() before a confirmation page's submit: accept, as a person would.
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();

        // Traffic before the rotation: an earlier token, minted with the old secret.
        var earlier = await oauth.GetAccessTokenAsync(client);

        await SignInAsync(page, fixture.Server.BaseAddress, DashboardFixture.DeviEmail);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Globex Reports" })).ToHaveCountAsync(0);
        await CheckAsync(page, "dashboard-clients");

        await page.GetByRole(AriaRole.Link, new() { Name = "Acme Payments API" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Acme Payments API" })).ToBeVisibleAsync();
        await CheckAsync(page, "dashboard-client-before");

        // 1. Add a second secret: its value is on this page only.
        await page.GetByRole(AriaRole.Button, new() { Name = "Add secret" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New secret" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy" })).ToBeVisibleAsync();
        var secret = await page.GetByLabel("Client secret").InputValueAsync();
        var newSecretId = (await page.Locator("dt:has-text('Secret ID') + dd").InnerTextAsync()).Trim();
        Assert.StartsWith("cc_secret_", secret);
        await CheckAsync(page, "dashboard-secret-shown");

        // 2. Mint a token with it over HTTP, and see its last-used time on the client page.
        var minted = await oauth.RequestTokenBasicAsync(client.ClientId, secret);
        Assert.Equal(HttpStatusCode.OK, minted.Status);
        for (var i = 0; i < 4; i++) Assert.Equal(HttpStatusCode.OK, (await oauth.RequestTokenBasicAsync(client.ClientId, secret)).Status);
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to Acme Payments API" }).ClickAsync();
        var newRow = page.GetByRole(AriaRole.Row).Filter(new() { HasText = newSecretId });
        await Assertions.Expect(newRow.GetByRole(AriaRole.Cell).Nth(2)).ToContainTextAsync("UTC");
        Assert.DoesNotContain(secret, await page.ContentAsync());
        // Two live secrets: Add secret is disabled and says why.
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Add secret" })).ToBeDisabledAsync();
        await Assertions.Expect(page.GetByText("already has 2 live secrets")).ToBeVisibleAsync();

        // 3. Revoke the old secret, through its confirmation page.
        var oldRow = page.GetByRole(AriaRole.Row).Filter(new() { HasText = client.SecretId });
        await oldRow.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Revoke secret" })).ToBeVisibleAsync();
        await CheckAsync(page, "dashboard-confirm-revoke-secret");
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke this secret" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Acme Payments API" })).ToBeVisibleAsync();
        await Assertions.Expect(oldRow).ToContainTextAsync("revoked");
        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", await oauth.RequestTokenBasicAsync(client.ClientId, client.ClientSecret));

        // 4. Revoke all tokens: the earlier token is inactive at introspection.
        OAuthAssert.Active(await oauth.IntrospectAsync(earlier, fixture.GlobexReports));
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke all tokens" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Revoke all tokens" })).ToBeVisibleAsync();
        await CheckAsync(page, "dashboard-confirm-revoke-tokens");
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke every token" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Acme Payments API" })).ToBeVisibleAsync();
        OAuthAssert.Inactive(await oauth.IntrospectAsync(earlier, fixture.GlobexReports));

        // The client page after the rotation, with its chart: 6 issued (1 before, 5 after), 1 failed (the old secret).
        var title = await page.Locator("svg title").First.TextContentAsync();
        Assert.EndsWith("6 issued, 0 rate-limited, 1 failed", title);
        await Assertions.Expect(page.GetByText("6 issued", new() { Exact = true })).ToHaveCountAsync(2);
        await CheckAsync(page, "dashboard-client");
        await page.ScreenshotAsync(new() { Path = DocsImage("dashboard-client.png"), FullPage = true });
        await page.Locator("section[aria-labelledby=usage]").ScreenshotAsync(new() { Path = DocsImage("dashboard-usage.png") });
        await Chromium.ScreenshotAsync(page, "dashboard-usage");

        // The audit log names the person for every step, and never a secret value.
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Audit log" })).ToBeVisibleAsync();
        foreach (var action in new[] { "secret.added", "secret.revoked", "tokens.revoked" })
            await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = action }).First).ToContainTextAsync("user:" + DashboardFixture.DeviEmail);
        Assert.DoesNotContain(secret, await page.ContentAsync());
        await CheckAsync(page, "dashboard-audit");
        await page.GetByLabel("Actor").FillAsync("cli:");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "user:" })).ToHaveCountAsync(0);

        // Sign out ends both sessions.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are signed out" })).ToBeVisibleAsync();
        await CheckAsync(page, "dashboard-signed-out");
        await page.GotoAsync(fixture.Server.BaseAddress + "/dashboard");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task NewClient_AndTheNotFoundPage_InChromium()
    {
        var page = await chromium.NewPageAsync();
        await SignInAsync(page, fixture.Server.BaseAddress, DashboardFixture.GusEmail);
        await page.GetByRole(AriaRole.Button, new() { Name = "New client" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New client" })).ToBeVisibleAsync();
        await CheckAsync(page, "dashboard-new-client");
        await page.GetByLabel("Name").FillAsync("Globex Ledger");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create client" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Client Globex Ledger created" })).ToBeVisibleAsync();
        Assert.StartsWith("cc_secret_", await page.GetByLabel("Client secret").InputValueAsync());
        await CheckAsync(page, "dashboard-client-created");

        // Another team's client: the same 404 page as an unknown one.
        var response = await page.GotoAsync(fixture.Server.BaseAddress + "/dashboard/clients/" + fixture.AcmePayments.ClientId);
        Assert.Equal(404, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Client not found" })).ToBeVisibleAsync();
        await CheckAsync(page, "dashboard-not-found");
    }

    static string DocsImage(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Gatehouse.slnx")))
            {
                var images = Path.Combine(dir.FullName, "docs", "images");
                Directory.CreateDirectory(images);
                return Path.Combine(images, name);
            }
        throw new InvalidOperationException("No repository root above " + AppContext.BaseDirectory);
    }
}
