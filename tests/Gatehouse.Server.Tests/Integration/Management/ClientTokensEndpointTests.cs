using System.Net;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Management;

public sealed class ClientTokensEndpointFixture : ManagementFixture;

/// SPEC 5 and issue 3: DELETE /oauth/clients/{id}/tokens makes every token issued to the client before that
/// moment inactive at introspection at once; the cut-off is exact to the microsecond (iat_us), not the second.
public sealed class ClientTokensEndpointTests(ClientTokensEndpointFixture fixture) : IClassFixture<ClientTokensEndpointFixture>
{
    ManagementTestClient Api => fixture.Api;
    OAuthTestClient OAuth => fixture.OAuth;

    Task<CreatedClient> NewClientAsync(string name) => Api.RegisterAsync($"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)], scope: "decisions:read");

    static long IatMicroseconds(string token) => OAuthAssert.NumberProperty(TestJwt.Parse(token).Payload, "iat_us");

    static long RevokedBeforeUs(OAuthResponse response)
    {
        ManagementAssert.Json(HttpStatusCode.OK, response);
        ManagementAssert.ExactProperties(response.Json, "client_id", "revoked_before", "revoked_before_us");
        var us = OAuthAssert.NumberProperty(response.Json, "revoked_before_us");
        var before = ManagementAssert.Time(response.Json, "revoked_before")!.Value;
        Assert.Equal(us / 1000, before.ToUnixTimeMilliseconds()); // the same instant, in two forms
        return us;
    }

    [Fact]
    public async Task RevokeAll_AsOperator_Returns200AndEveryEarlierTokenIsInactiveImmediately()
    {
        var client = await NewClientAsync("revoke-all");
        var bystander = await NewClientAsync("bystander");
        var tokens = new List<string>();
        for (var i = 0; i < 5; i++) tokens.Add(await OAuth.GetAccessTokenAsync(client));
        var bystanderToken = await OAuth.GetAccessTokenAsync(bystander);
        var started = DateTimeOffset.UtcNow;

        var response = await Api.DeleteAsync(ManagementPaths.Tokens(client.ClientId));

        var cutOff = RevokedBeforeUs(response);
        Assert.Equal(client.ClientId, response.Text("client_id"));
        ManagementAssert.Near(started, ManagementAssert.Time(response.Json, "revoked_before"), TimeSpan.FromMinutes(1), "revoked_before");
        foreach (var token in tokens)
        {
            Assert.True(IatMicroseconds(token) < cutOff);
            OAuthAssert.Inactive(await OAuth.IntrospectAsync(token, fixture.Partner));
        }
        OAuthAssert.Active(await OAuth.IntrospectAsync(bystanderToken, fixture.Partner));
        OAuthAssert.Active(await OAuth.IntrospectAsync(await OAuth.GetAccessTokenAsync(client), fixture.Partner));
        var view = await Api.GetAsync(ManagementPaths.Client(client.ClientId));
        Assert.Equal(cutOff / 1000, ManagementAssert.Time(view.Json, "tokens_revoked_before")!.Value.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task RevokeAll_SelfServiceViaBasic_Returns200AndEarlierTokensAreInactive()
    {
        var client = await NewClientAsync("revoke-all-self");
        var token = await OAuth.GetAccessTokenAsync(client);

        var response = await Api.DeleteAsync(ManagementPaths.Tokens(client.ClientId), OAuthTestClient.Basic(client.ClientId, client.ClientSecret));

        RevokedBeforeUs(response);
        OAuthAssert.Inactive(await OAuth.IntrospectAsync(token, fixture.Partner));
        OAuthAssert.Status(HttpStatusCode.OK, await OAuth.RequestTokenBasicAsync(client)); // the secret itself still works
    }

    /// SPEC 5: "a token minted in the same second but before the revocation is revoked, one minted after it
    /// is not (whole-second iat alone cannot decide that)". Retried (bounded) until all three land in one second.
    [Fact]
    public async Task RevokeAll_TokensMintedInTheSameSecond_CutOffIsExact()
    {
        var client = await NewClientAsync("cut-off");
        for (var attempt = 1; ; attempt++)
        {
            var before = await OAuth.GetAccessTokenAsync(client);
            var cutOff = RevokedBeforeUs(await Api.DeleteAsync(ManagementPaths.Tokens(client.ClientId)));
            var after = await OAuth.GetAccessTokenAsync(client);

            var iatBefore = OAuthAssert.NumberProperty(TestJwt.Parse(before).Payload, "iat");
            var iatAfter = OAuthAssert.NumberProperty(TestJwt.Parse(after).Payload, "iat");
            if ((iatBefore != iatAfter || iatBefore != cutOff / 1_000_000) && attempt < 5) continue;

            Assert.Equal(iatBefore, iatAfter);
            Assert.Equal(iatBefore, cutOff / 1_000_000);
            Assert.True(IatMicroseconds(before) < cutOff, $"iat_us {IatMicroseconds(before)} is not before the cut-off {cutOff}");
            Assert.True(IatMicroseconds(after) >= cutOff, $"iat_us {IatMicroseconds(after)} is before the cut-off {cutOff}");
            OAuthAssert.Inactive(await OAuth.IntrospectAsync(before, fixture.Partner));
            OAuthAssert.Active(await OAuth.IntrospectAsync(after, fixture.Partner));
            return;
        }
    }

    [Fact]
    public async Task RevokeAll_UnknownClient_Returns404NotFound()
    {
        var response = await Api.DeleteAsync(ManagementPaths.Tokens("cc_client_doesnotexist"));

        ManagementAssert.Problem(HttpStatusCode.NotFound, "not_found", response);
    }
}
