using System.Net;
using System.Text.RegularExpressions;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Dashboard;

/// The usage chart counts what a test sent (and keeps it across a restart); a new secret's value appears in
/// the one response that creates it and nowhere after.
public sealed class DashboardUsageAndSecretsTests
{
    static readonly Regex Totals = new("(\\d+) issued, (\\d+) rate-limited, (\\d+) failed");

    [Fact]
    public async Task Chart_CountsIssuedRateLimitedAndFailedRequests_AndKeepsThemAcrossARestart()
    {
        var directory = TestDirectories.Create();
        try
        {
            await GatehouseCli.CreateUserAsync(directory, DashboardFixture.DeviEmail, DashboardFixture.Password, "Devi", "--role", "developer", "--team", "acme");
            var slow = await DashboardFixture.CreateTeamClientAsync(directory, "Acme Batch Sync", "acme", 1);
            await using var server = await GatehouseProcess.StartAsync(directory, new Dictionary<string, string>
            {
                ["Gatehouse:RateLimits:FailedAuthenticationsPerMinute"] = "100000",
            });

            // A burst at one request a second: the first is issued, the rest (almost all) refused with 429.
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 6; i++) statuses.Add((await server.OAuth.RequestTokenBasicAsync(slow)).Status);
            for (var i = 0; i < 3; i++)
                statuses.Add((await server.OAuth.RequestTokenBasicAsync(slow.ClientId, "cc_secret_sandbox_wrong" + new string('x', 40))).Status);
            var issued = statuses.Count(s => s == HttpStatusCode.OK);
            var limited = statuses.Count(s => s == (HttpStatusCode)429);
            var failed = statuses.Count(s => s == HttpStatusCode.Unauthorized);
            Assert.Equal(9, issued + limited + failed);
            Assert.True(issued >= 1 && limited >= 1 && failed == 3, string.Join(",", statuses));

            using (var browser = new SignInBrowser(server))
            {
                await DashboardSignInSteps.SignInAsync(browser, DashboardFixture.DeviEmail);
                var page = await browser.GetAsync("/dashboard/clients/" + slow.ClientId);
                Assert.Equal($"{issued} issued, {limited} rate-limited, {failed} failed", Totals.Match(page.Body).Value);
                Assert.Contains("<svg", page.Body);
            }

            // A graceful stop writes the counts; after the restart they come from the store, not twice.
            await server.RestartAsync();
            Assert.Equal(HttpStatusCode.OK, (await server.OAuth.RequestTokenBasicAsync(slow)).Status);
            using (var browser = new SignInBrowser(server))
            {
                await DashboardSignInSteps.SignInAsync(browser, DashboardFixture.DeviEmail);
                var page = await browser.GetAsync("/dashboard/clients/" + slow.ClientId);
                Assert.Equal($"{issued + 1} issued, {limited} rate-limited, {failed} failed", Totals.Match(page.Body).Value);
            }
        }
        finally
        {
            TestDirectories.Delete(directory);
        }
    }

    [Fact]
    public async Task NewSecret_IsShownOnce_AndNeverInALaterPageARedirectTheAuditLogOrALogLine()
    {
        var directory = TestDirectories.Create();
        try
        {
            await GatehouseCli.CreateUserAsync(directory, DashboardFixture.DeviEmail, DashboardFixture.Password, "Devi", "--role", "developer", "--team", "acme");
            var client = await DashboardFixture.CreateTeamClientAsync(directory, "Acme Payments API", "acme", 1000);
            await using var server = await GatehouseProcess.StartAsync(directory, new Dictionary<string, string>
            {
                ["Logging:LogLevel:Default"] = "Debug",
            });
            using var browser = new SignInBrowser(server);
            var page = await DashboardSignInSteps.SignInAsync(browser, DashboardFixture.DeviEmail, "/dashboard/clients/" + client.ClientId);
            var added = await browser.PostAsync($"/dashboard/clients/{client.ClientId}/secrets", page.Form($"/dashboard/clients/{client.ClientId}/secrets"));
            Assert.Equal(HttpStatusCode.OK, added.Status);
            Assert.Null(added.Location);
            Assert.Equal("no-store", added.Header("Cache-Control"));
            var value = Regex.Match(added.Body, "id=\"secret-value\" readonly value=\"([^\"]+)\"").Groups[1].Value;
            Assert.StartsWith("cc_secret_", value);
            Assert.Equal(HttpStatusCode.OK, (await server.OAuth.RequestTokenBasicAsync(client.ClientId, value)).Status);

            // A developer's New client shows the first secret once too.
            var form = (await browser.GetAsync("/dashboard/clients/new")).Form("/dashboard/clients");
            form["name"] = "Acme Second App";
            form["team"] = "acme";
            // Granting scopes is an operator's action: a scope smuggled into the form is ignored.
            form["scope"] = "clients:manage users:manage";
            var created = await browser.PostAsync("/dashboard/clients", form);
            Assert.Equal(HttpStatusCode.OK, created.Status);
            var first = Regex.Match(created.Body, "id=\"secret-value\" readonly value=\"([^\"]+)\"").Groups[1].Value;
            Assert.StartsWith("cc_secret_", first);
            var newId = Regex.Match(created.Body, "<dt>Client ID</dt><dd><code>([^<]+)</code>").Groups[1].Value;
            var defaults = await GatehouseCli.CreateClientAsync(directory, "Defaults");
            var shown = await browser.GetAsync("/dashboard/clients/" + newId);
            Assert.Equal(HttpStatusCode.OK, shown.Status);
            Assert.Contains($"<dt>Scopes</dt><dd>{defaults.Scope}</dd>", shown.Body);

            var later = new List<string>
            {
                (await browser.GetAsync("/dashboard/clients/" + client.ClientId)).Body,
                shown.Body,
                (await browser.GetAsync("/dashboard/clients")).Body,
                (await browser.GetAsync("/dashboard/audit")).Body,
                (await GatehouseCli.RunAsync(directory, "audit", "--json")).Stdout,
            };
            // Signing out puts the ID token in a redirect URL (id_token_hint): it is never logged either.
            var signOut = await browser.PostAsync("/dashboard/sign-out", shown.Form("/dashboard/sign-out"));
            var idToken = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(signOut.Location!).Query)["id_token_hint"].ToString();
            Assert.StartsWith("eyJ", idToken);
            Assert.Equal(HttpStatusCode.Found, (await browser.GetAsync(signOut.Location!)).Status);
            await server.StopAsync();
            later.Add(server.Logs);
            Assert.DoesNotContain(idToken, server.Logs);
            foreach (var text in later)
            {
                Assert.DoesNotContain(value, text);
                Assert.DoesNotContain(first, text);
            }
            Assert.Contains("user:" + DashboardFixture.DeviEmail, later[4]);
        }
        finally
        {
            TestDirectories.Delete(directory);
        }
    }
}
