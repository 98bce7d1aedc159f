using System.Net;
using System.Text.RegularExpressions;
using Gatehouse.Server.Tests.Harness;
using Microsoft.AspNetCore.WebUtilities;

namespace Gatehouse.Server.Tests.Integration.Dashboard;

/// SPEC 9 "who sees what", sign-in and sign-out, anti-forgery and no-store, over HTTP against a real server.
public sealed class DashboardAccessTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    const string Token = "__RequestVerificationToken";

    [Fact]
    public async Task SignedOutVisitor_IsSentToTheAuthorizationEndpointWithPkce()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var page = await browser.GetAsync("/dashboard/clients/" + fixture.AcmePayments.ClientId);
        Assert.Equal(HttpStatusCode.Found, page.Status);
        var location = new Uri(page.Location!);
        Assert.Equal(fixture.Server.Issuer + "/oauth/authorize", location.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal("gatehouse-dashboard", query["client_id"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(fixture.Server.Issuer + "/dashboard/callback", query["redirect_uri"]);
        Assert.False(string.IsNullOrEmpty(query["state"]));
        Assert.False(string.IsNullOrEmpty(query["nonce"]));
        Assert.Equal("no-store", page.Header("Cache-Control"));

        // A POST without a session changes nothing and is sent to sign in too.
        var post = await browser.PostAsync($"/dashboard/clients/{fixture.AcmePayments.ClientId}/revoke-tokens", []);
        Assert.Equal(HttpStatusCode.SeeOther, post.Status);
        Assert.StartsWith(fixture.Server.Issuer + "/oauth/authorize", post.Location);
    }

    [Fact]
    public async Task Developer_SeesOnlyTheirTeamsClients_AndAnotherTeamsClientAnswersLikeAnUnknownOne()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var list = await DashboardSignInSteps.SignInAsync(browser, DashboardFixture.DeviEmail);
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.True(list.Shows(fixture.AcmePayments.ClientId));
        Assert.True(list.Shows(fixture.AcmeSlow.ClientId));
        Assert.False(list.Shows(fixture.GlobexReports.ClientId));
        Assert.False(list.Shows("gatehouse-dashboard"));

        var foreign = fixture.GlobexReports.ClientId;
        var unknown = "cc_client_" + new string('x', foreign.Length - "cc_client_".Length);
        var secretId = fixture.GlobexReports.SecretId;
        var before = (await fixture.SecretsAsync(foreign)).GetRawText();
        var form = (await browser.GetAsync("/dashboard/clients/" + fixture.AcmePayments.ClientId)).Form($"/dashboard/clients/{fixture.AcmePayments.ClientId}/secrets");

        foreach (var (method, path) in new[]
        {
            ("GET", "/dashboard/clients/{0}"),
            ("GET", "/dashboard/clients/{0}/revoke-tokens"),
            ("GET", "/dashboard/clients/{0}/secrets/{1}/revoke"),
            ("POST", "/dashboard/clients/{0}/secrets"),
            ("POST", "/dashboard/clients/{0}/revoke-tokens"),
            ("POST", "/dashboard/clients/{0}/secrets/{1}/revoke"),
        })
        {
            async Task<PageResponse> SendAsync(string clientId)
            {
                var url = string.Format(System.Globalization.CultureInfo.InvariantCulture, path, clientId, secretId);
                // A genuine anti-forgery token: the refusal is about access, not about the form.
                return method == "GET" ? await browser.GetAsync(url) : await browser.PostAsync(url, form);
            }
            var other = await SendAsync(foreign);
            var none = await SendAsync(unknown);
            Assert.Equal(HttpStatusCode.NotFound, other.Status);
            Assert.Equal(HttpStatusCode.NotFound, none.Status);
            Assert.Equal(WithoutToken(none.Body), WithoutToken(other.Body));
            Assert.DoesNotContain("Globex", other.Body);
        }
        Assert.Equal(before, (await fixture.SecretsAsync(foreign)).GetRawText());

        // Nor does the audit log show another team's client.
        var audit = await browser.GetAsync("/dashboard/audit");
        Assert.Equal(HttpStatusCode.OK, audit.Status);
        Assert.True(audit.Shows(fixture.AcmePayments.ClientId));
        Assert.False(audit.Shows(foreign));
        Assert.False((await browser.GetAsync("/dashboard/audit?client=" + foreign)).Shows(foreign + "</code>"));
    }

    [Fact]
    public async Task Operator_SeesEveryClient_AndEveryAuditEntry()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var list = await DashboardSignInSteps.SignInAsync(browser, DashboardFixture.OliveEmail);
        Assert.True(list.Shows(fixture.AcmePayments.ClientId));
        Assert.True(list.Shows(fixture.GlobexReports.ClientId));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/dashboard/clients/" + fixture.GlobexReports.ClientId)).Status);
        Assert.True((await browser.GetAsync("/dashboard/audit?client=" + fixture.GlobexReports.ClientId)).Shows("client.created"));
    }

    [Fact]
    public async Task PersonWithoutADashboardRole_GetsTheNoAccessPage()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var start = await browser.GetAsync("/dashboard");
        var login = await browser.LogInAsync(await browser.GetAsync(start.Location!), DashboardFixture.PatEmail, DashboardFixture.Password);
        var callback = await browser.GetAsync(login.Location!);
        var page = await browser.GetAsync(callback.Location!);
        Assert.Equal(HttpStatusCode.Forbidden, page.Status);
        Assert.True(page.Shows("No access to the dashboard"));
    }

    [Fact]
    public async Task ForgedPost_WithoutTheAntiForgeryToken_IsRefusedAndChangesNothing()
    {
        using var browser = new SignInBrowser(fixture.Server);
        await DashboardSignInSteps.SignInAsync(browser, DashboardFixture.DeviEmail);
        var client = fixture.AcmeSlow.ClientId;
        var before = (await fixture.SecretsAsync(client)).GetRawText();
        var auditBefore = (await GatehouseCli.RunAsync(fixture.DataDirectory, "audit", "--json")).Stdout;

        foreach (var path in new[] { $"/dashboard/clients/{client}/secrets", $"/dashboard/clients/{client}/revoke-tokens",
                     $"/dashboard/clients/{client}/secrets/{fixture.AcmeSlow.SecretId}/revoke", "/dashboard/clients" })
        {
            var forged = await browser.PostAsync(path, [new("name", "Forged"), new("team", "acme")]);
            Assert.Equal(HttpStatusCode.BadRequest, forged.Status);
            Assert.True(forged.Shows("This form has expired"), forged.Body);
            var wrong = await browser.PostAsync(path, [new(Token, "CfDJ8-not-a-real-token"), new("name", "Forged"), new("team", "acme")]);
            Assert.Equal(HttpStatusCode.BadRequest, wrong.Status);
        }
        Assert.Equal(before, (await fixture.SecretsAsync(client)).GetRawText());
        Assert.Equal(auditBefore, (await GatehouseCli.RunAsync(fixture.DataDirectory, "audit", "--json")).Stdout);
    }

    [Fact]
    public async Task SigningOut_EndsTheDashboardAndTheSignInSession()
    {
        using var browser = new SignInBrowser(fixture.Server);
        var list = await DashboardSignInSteps.SignInAsync(browser, DashboardFixture.DeviEmail);
        var signOut = await browser.PostAsync("/dashboard/sign-out", list.Form("/dashboard/sign-out"));
        Assert.Equal(HttpStatusCode.SeeOther, signOut.Status);
        var logout = new Uri(signOut.Location!);
        Assert.Equal(fixture.Server.Issuer + "/oauth/logout", logout.GetLeftPart(UriPartial.Path));
        Assert.Contains("id_token_hint=", logout.Query);
        var back = await browser.GetAsync(signOut.Location!);
        Assert.Equal(fixture.Server.Issuer + "/dashboard/signed-out", back.Location);
        Assert.True((await browser.GetAsync(back.Location!)).Shows("You are signed out"));

        // Both sessions are gone: the dashboard asks to sign in, and the authorization endpoint shows the login page.
        var again = await browser.GetAsync("/dashboard/clients");
        Assert.Equal(HttpStatusCode.Found, again.Status);
        Assert.Contains("action=\"/oauth/login\"", (await browser.GetAsync(again.Location!)).Body);
    }

    [Fact]
    public async Task EndingTheSignInSession_EndsTheDashboard()
    {
        using var browser = new SignInBrowser(fixture.Server);
        await DashboardSignInSteps.SignInAsync(browser, DashboardFixture.OliveEmail);
        // Sign out of Gatehouse itself (the logout page's own form), not of the dashboard.
        var logoutPage = await browser.GetAsync("/oauth/logout");
        var ended = await browser.PostAsync("/oauth/logout", logoutPage.Form("/oauth/logout"));
        Assert.Equal(HttpStatusCode.OK, ended.Status);
        var page = await browser.GetAsync("/dashboard/clients");
        Assert.Equal(HttpStatusCode.Found, page.Status);
        Assert.StartsWith(fixture.Server.Issuer + "/oauth/authorize", page.Location);
    }

    [Fact]
    public async Task CallbackWithAStateFromElsewhere_IsRefused()
    {
        using var browser = new SignInBrowser(fixture.Server);
        await browser.GetAsync("/dashboard");
        var page = await browser.GetAsync("/dashboard/callback?code=ghac_x&state=not-mine");
        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.True(page.Shows("Sign-in could not finish"));
    }

    static string WithoutToken(string body) => Regex.Replace(body, "name=\"__RequestVerificationToken\" value=\"[^\"]*\"", "");
}
