using System.Net;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.SignIn;

/// SPEC 8 and issue 12: no password, code, refresh token, session handle, ID or access token in any log line,
/// at the default level or at Debug, after a sign-in session that also fails, reuses and revokes.
public sealed class SignInLogHygieneTests
{
    [Theory]
    [InlineData("default")]
    [InlineData("Debug")]
    public async Task ServerLogs_AfterSignInRefreshReuseAndLogout_ContainNoSecret(string logLevel)
    {
        using var data = new ScratchDirectory();
        const string password = "a-very-particular-password-4711";
        await GatehouseCli.CreateUserAsync(data.Path, "hygiene@acme.example", password, "Hygiene Person");
        var client = await SignInClient.CreateAsync(data.Path, "Hygiene app", "https://hygiene.acme.example/cb",
            "--grant-type", "authorization_code", "--grant-type", "refresh_token");
        var settings = new Dictionary<string, string>();
        if (logLevel != "default")
        {
            settings["Logging:LogLevel:Default"] = logLevel;
            settings["Logging:LogLevel:Microsoft.AspNetCore"] = logLevel;
        }
        await using var server = await GatehouseProcess.StartAsync(data.Path, settings);
        var secrets = new List<string> { password, "wrong-password-0815", client.Secret! };

        using var browser = new SignInBrowser(server);
        var pkce = PkcePair.New();
        var login = await browser.GetAsync(client.AuthorizeUrl(pkce));
        await browser.LogInAsync(login, "hygiene@acme.example", "wrong-password-0815");
        var answer = await browser.SignInAsync(client.AuthorizeUrl(pkce), "hygiene@acme.example", password);
        var code = answer.RedirectQuery()["code"];
        secrets.Add(code);
        secrets.AddRange(browser.Cookies.GetCookies(new Uri(server.BaseAddress)).Select(c => c.Value));

        var basic = OAuthTestClient.Basic(client.ClientId, client.Secret!);
        var tokens = await server.OAuth.PostFormAsync(OAuthPaths.Token, [new("grant_type", "authorization_code"), new("code", code),
            new("redirect_uri", client.RedirectUri), new("code_verifier", pkce.Verifier)], basic);
        OAuthAssert.Status(HttpStatusCode.OK, tokens);
        secrets.AddRange([tokens.Text("access_token")!, tokens.Text("id_token")!, tokens.Text("refresh_token")!, pkce.Verifier]);
        var refreshed = await server.OAuth.PostFormAsync(OAuthPaths.Token, [new("grant_type", "refresh_token"), new("refresh_token", tokens.Text("refresh_token")!)], basic);
        secrets.Add(refreshed.Text("refresh_token")!);
        await server.OAuth.PostFormAsync(OAuthPaths.Token, [new("grant_type", "refresh_token"), new("refresh_token", tokens.Text("refresh_token")!)], basic); // reuse
        await server.OAuth.PostFormAsync(OAuthPaths.Token, [new("grant_type", "authorization_code"), new("code", code),
            new("redirect_uri", client.RedirectUri), new("code_verifier", pkce.Verifier)], basic); // code reuse
        await server.OAuth.GetAsync("/public/v1/userinfo", r => r.Headers.Authorization = new("Bearer", tokens.Text("access_token")));
        await browser.GetAsync("/oauth/logout?id_token_hint=" + tokens.Text("id_token"));
        await server.StopAsync();

        var logs = server.Logs;
        Assert.NotEmpty(logs);
        foreach (var secret in secrets.Where(s => s.Length >= 12).Distinct())
            Assert.False(logs.Contains(secret, StringComparison.Ordinal), $"a secret value ({secret[..6]}…) appears in the server log");
    }
}
