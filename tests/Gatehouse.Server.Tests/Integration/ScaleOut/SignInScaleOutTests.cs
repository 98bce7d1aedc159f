using System.Net;
using System.Net.Http.Headers;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.ScaleOut;

/// SPEC 8 on two nodes sharing PostgreSQL and Redis: a session, its forms and its grants work on any node.
public sealed class SignInScaleOutTests
{
    const string Password = "correct horse battery staple";

    [Fact]
    public async Task SignIn_LoginPageFromNode1PostedToNode2_SessionHonouredOnBoth_RefreshRaceHasOneWinner()
    {
        await using var backend = await SharedBackend.CreateAsync();
        var user = await GatehouseCli.RunWithInputAsync(backend.DataDirectory, Password + "\n",
            ["users", "create", "--email", "dana@acme.example", "--name", "Dana", "--password-stdin", "--json",
             .. backend.NodeSettings.Select(s => $"--{s.Key}={s.Value}")]);
        Assert.True(user.ExitCode == 0, user.ToString());
        var created = await backend.CliAsync("clients", "create", "--name", "Portal", "--grant-type", "authorization_code",
            "--grant-type", "refresh_token", "--redirect-uri", "https://portal.acme.example/cb", "--no-consent", "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(created.Stdout);
        var client = new SignInClient(json.RootElement.GetProperty("client_id").GetString()!, json.RootElement.GetProperty("client_secret").GetString(),
            "https://portal.acme.example/cb");

        var nodes = await backend.StartNodesAsync(2);
        try
        {
            using var browser = new SignInBrowser(nodes[0]);
            var pkce = PkcePair.New();
            var login = await browser.GetAsync(client.AuthorizeUrl(pkce, "openid"));
            // The anti-forgery token and the protected request were made by node 1's Data Protection keys.
            var fields = login.Form("/oauth/login");
            fields["email"] = "dana@acme.example";
            fields["password"] = Password;
            var answer = await browser.PostAsync(nodes[1].BaseAddress + "/oauth/login", fields);
            var code = answer.RedirectQuery()["code"];

            // The session started on node 2 is honoured on node 1: no login page.
            var again = await browser.GetAsync(client.AuthorizeUrl(PkcePair.New(), "openid", state: "again"));
            Assert.Equal("again", again.RedirectQuery()["state"]);

            var tokens = await Token(nodes[0], ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.RedirectUri),
                ("code_verifier", pkce.Verifier));
            OAuthAssert.Status(HttpStatusCode.OK, tokens);
            var refresh = tokens.Text("refresh_token")!;
            var race = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
                Token(nodes[i % 2], ("grant_type", "refresh_token"), ("refresh_token", refresh))));
            Assert.Equal(1, race.Count(r => r.Status == HttpStatusCode.OK));
            Assert.All(race.Where(r => r.Status != HttpStatusCode.OK), r => Assert.Equal("invalid_grant", r.Text("error")));
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }

        Task<OAuthResponse> Token(GatehouseProcess node, params (string, string)[] form) =>
            node.OAuth.PostFormAsync(OAuthPaths.Token, form.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2)),
                OAuthTestClient.Basic(client.ClientId, client.Secret!));
    }
}
