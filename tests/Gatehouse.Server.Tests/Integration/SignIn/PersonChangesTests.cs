using System.Net;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.SignIn;

/// SPEC 8: "Deleting or disabling a user, or changing their password, revokes their grants" — through the
/// CLI, while the server runs, as an operator would.
public sealed class PersonChangesTests(SignInFixture fixture) : IClassFixture<SignInFixture>
{
    [Theory]
    [InlineData("disable")]
    [InlineData("set-password")]
    [InlineData("delete")]
    public async Task User_DisabledPasswordChangedOrDeleted_GrantsAndSessionsEnd(string command)
    {
        var email = $"{command}-{Guid.NewGuid():N}@acme.example";
        var sub = (await GatehouseCli.CreateUserAsync(fixture.DataDirectory, email, SignInFixture.Password, "Changing Person")).GetProperty("sub").GetString()!;
        using var browser = new SignInBrowser(fixture.Server);
        var pkce = PkcePair.New();
        var tokens = await fixture.RedeemAsync(fixture.WebApp, await fixture.CodeAsync(fixture.WebApp, pkce, "openid", email, browser), pkce);
        OAuthAssert.Status(HttpStatusCode.OK, tokens);

        var result = command == "set-password"
            ? await GatehouseCli.RunWithInputAsync(fixture.DataDirectory, "a brand new password\n", "users", "set-password", sub, "--password-stdin")
            : await GatehouseCli.RunAsync(fixture.DataDirectory, "users", command, sub);
        Assert.True(result.ExitCode == 0, result.ToString());

        await Eventually.Within(TimeSpan.FromSeconds(2),
            () => fixture.OAuth.IntrospectAsync(tokens.Text("access_token")!, fixture.WebApp.ClientId, fixture.WebApp.Secret!),
            r => r.Text("active") is null && r.Json.GetProperty("active").GetBoolean() == false, "the grant's access token is inactive");
        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_grant",
            await fixture.TokenAsync(fixture.WebApp, ("grant_type", "refresh_token"), ("refresh_token", tokens.Text("refresh_token")!)));
        var next = await browser.GetAsync(fixture.WebApp.AuthorizeUrl(PkcePair.New(), "openid"));
        Assert.Contains("action=\"/oauth/login\"", next.Body);
    }
}
