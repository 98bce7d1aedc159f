using System.Net;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration;

public sealed class RevocationFixture : GatehouseFixture
{
    public CreatedClient Owner { get; private set; } = null!;
    public CreatedClient Stranger { get; private set; } = null!;

    protected override async Task SeedAsync()
    {
        Owner = await CreateClientAsync("revocation-owner");
        Stranger = await CreateClientAsync("revocation-stranger");
    }
}

/// SPEC 7; RFC 7009.
public sealed class RevocationTests(RevocationFixture fixture) : IClassFixture<RevocationFixture>
{
    OAuthTestClient OAuth => fixture.OAuth;

    [Fact]
    public async Task Revoke_WithoutClientAuthentication_Returns401InvalidClient()
    {
        var token = await OAuth.GetAccessTokenAsync(fixture.Owner);

        var response = await OAuth.PostFormAsync(OAuthPaths.Revoke, [new("token", token)]);

        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", response);
        OAuthAssert.Active(await OAuth.IntrospectAsync(token, fixture.Owner));
    }

    [Fact]
    public async Task Revoke_WrongSecret_Returns401InvalidClientWithBasicChallenge()
    {
        var token = await OAuth.GetAccessTokenAsync(fixture.Owner);

        var response = await OAuth.PostFormAsync(OAuthPaths.Revoke, [new("token", token)],
            OAuthTestClient.Basic(fixture.Owner.ClientId, fixture.Stranger.ClientSecret));

        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", response);
        Assert.Contains(response.Headers.WwwAuthenticate, c => c.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase));
        OAuthAssert.Active(await OAuth.IntrospectAsync(token, fixture.Owner));
    }

    [Fact]
    public async Task Revoke_MissingTokenParameter_Returns400InvalidRequest()
    {
        var response = await OAuth.PostFormAsync(OAuthPaths.Revoke, [new("token_type_hint", "access_token")],
            OAuthTestClient.Basic(fixture.Owner.ClientId, fixture.Owner.ClientSecret));

        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_request", response);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("access_token")]
    [InlineData("refresh_token")] // RFC 7009 §2.1: a wrong hint only widens the search
    public async Task Revoke_OwnAccessToken_Returns200AndTokenBecomesInactive(string? tokenTypeHint)
    {
        var token = await OAuth.GetAccessTokenAsync(fixture.Owner);
        OAuthAssert.Active(await OAuth.IntrospectAsync(token, fixture.Owner));

        var response = await OAuth.RevokeAsync(token, fixture.Owner, tokenTypeHint);

        OAuthAssert.Status(HttpStatusCode.OK, response);
        OAuthAssert.Inactive(await OAuth.IntrospectAsync(token, fixture.Owner));
        OAuthAssert.Inactive(await OAuth.IntrospectAsync(token, fixture.Stranger));
    }

    [Fact]
    public async Task Revoke_OneToken_LeavesOtherTokensOfTheClientActive()
    {
        var revoked = await OAuth.GetAccessTokenAsync(fixture.Owner);
        var kept = await OAuth.GetAccessTokenAsync(fixture.Owner);

        OAuthAssert.Status(HttpStatusCode.OK, await OAuth.RevokeAsync(revoked, fixture.Owner));

        OAuthAssert.Inactive(await OAuth.IntrospectAsync(revoked, fixture.Owner));
        OAuthAssert.Active(await OAuth.IntrospectAsync(kept, fixture.Owner));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("eyJub3Qi.eyJhIGp3dCJ9.c2lnbmF0dXJl")]
    [InlineData("a-refresh-token-that-never-existed")]
    public async Task Revoke_UnknownToken_Returns200(string token)
    {
        var response = await OAuth.RevokeAsync(token, fixture.Owner);

        OAuthAssert.Status(HttpStatusCode.OK, response);
    }

    [Fact]
    public async Task Revoke_AnotherClientsToken_LeavesTheTokenActive()
    {
        // RFC 7009 §2.1: the server verifies the token was issued to the client asking for revocation.
        var token = await OAuth.GetAccessTokenAsync(fixture.Owner);

        var response = await OAuth.RevokeAsync(token, fixture.Stranger);

        Assert.True(response.Status is HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.Forbidden,
            $"Unexpected answer to revoking another client's token:\n{response}");
        OAuthAssert.Active(await OAuth.IntrospectAsync(token, fixture.Owner));
    }

    [Fact]
    public async Task Revoke_ThenServerKilledAndRestarted_TokenStaysRevoked()
    {
        // SPEC 7: never 200 for a revocation that was not persisted, so SIGKILL right after the 200 must not lose it.
        using var dataDirectory = new ScratchDirectory();
        var client = await GatehouseCli.CreateClientAsync(dataDirectory.Path, "revoke-restart", rateLimit: GatehouseFixture.UnthrottledRateLimit);
        await using var server = await GatehouseProcess.StartAsync(dataDirectory.Path);
        var revoked = await server.OAuth.GetAccessTokenAsync(client);
        var kept = await server.OAuth.GetAccessTokenAsync(client);
        OAuthAssert.Status(HttpStatusCode.OK, await server.OAuth.RevokeAsync(revoked, client));

        await server.RestartAsync(kill: true);

        OAuthAssert.Inactive(await server.OAuth.IntrospectAsync(revoked, client));
        OAuthAssert.Active(await server.OAuth.IntrospectAsync(kept, client));
    }

    [Fact]
    public async Task Revoke_ThenServerStoppedAndRestarted_TokenStaysRevoked()
    {
        using var dataDirectory = new ScratchDirectory();
        var client = await GatehouseCli.CreateClientAsync(dataDirectory.Path, "revoke-stop", rateLimit: GatehouseFixture.UnthrottledRateLimit);
        await using var server = await GatehouseProcess.StartAsync(dataDirectory.Path);
        var revoked = await server.OAuth.GetAccessTokenAsync(client);
        OAuthAssert.Status(HttpStatusCode.OK, await server.OAuth.RevokeAsync(revoked, client));

        await server.RestartAsync();

        OAuthAssert.Inactive(await server.OAuth.IntrospectAsync(revoked, client));
    }
}
