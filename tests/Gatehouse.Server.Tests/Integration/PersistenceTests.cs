using System.Net;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration;

/// SPEC 1 (embedded SQLite in the data directory), 6 (stable kids, keys stored at rest).
public sealed class PersistenceTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Server_Restarted_KeepsClientsTokensAndKeys(bool kill)
    {
        using var dataDirectory = new ScratchDirectory();
        var client = await GatehouseCli.CreateClientAsync(dataDirectory.Path, "persistent", rateLimit: GatehouseFixture.UnthrottledRateLimit);
        await using var server = await GatehouseProcess.StartAsync(dataDirectory.Path);
        var oldToken = await server.OAuth.GetAccessTokenAsync(client);
        var oldKid = TestJwt.Parse(oldToken).Kid;
        var oldJwks = (await server.OAuth.GetAsync(OAuthPaths.Jwks)).Json.GetRawText();

        await server.RestartAsync(kill);

        var newToken = await server.OAuth.RequestTokenBasicAsync(client);
        OAuthAssert.Status(HttpStatusCode.OK, newToken);
        Assert.Equal(oldKid, TestJwt.Parse(newToken.Text("access_token")!).Kid); // a restart is not a rotation
        var introspection = await server.OAuth.IntrospectAsync(oldToken, client);
        OAuthAssert.Active(introspection);
        Assert.Equal(OAuthAssert.StringProperty(TestJwt.Parse(oldToken).Payload, "jti"), OAuthAssert.StringProperty(introspection.Json, "jti"));
        var jwk = await server.OAuth.GetPublicJwkAsync(oldKid);
        Assert.True(TestJwt.VerifyEs256(oldToken, System.Text.Json.JsonDocument.Parse(jwk).RootElement));
        Assert.Equal(oldJwks, (await server.OAuth.GetAsync(OAuthPaths.Jwks)).Json.GetRawText());
    }
}
