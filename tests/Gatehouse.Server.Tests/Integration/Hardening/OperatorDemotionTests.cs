using System.Net;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Hardening;

/// Issue 11, weakness 3 (SPEC 5): operator rights are the client's current grants, checked on every
/// management request, not what its token said when it was minted.
public sealed class OperatorDemotionTests(HardeningFixture fixture) : IClassFixture<HardeningFixture>
{
    ManagementTestClient Api => fixture.Api;

    async Task<(CreatedClient Client, System.Net.Http.Headers.AuthenticationHeaderValue Token)> NewOperatorAsync(string scope)
    {
        var created = await Api.RegisterAsync($"second-operator-{Guid.NewGuid():N}"[..24], scope: scope);
        var token = await Eventually.Within(TimeSpan.FromSeconds(2),
            () => fixture.OAuth.RequestTokenBasicAsync(created, OAuthTestClient.ClientCredentialsForm(audience: fixture.Server.Issuer)),
            r => r.Status == HttpStatusCode.OK, "the new operator gets a management token");
        return (created, ManagementTestClient.Bearer(token.Text("access_token")!));
    }

    [Fact]
    public async Task Management_OperatorScopeRemovedAfterTokenMinted_Returns403AtOnce()
    {
        var (demoted, token) = await NewOperatorAsync("clients:manage");
        ManagementAssert.Json(HttpStatusCode.OK, await Api.GetAsync(ManagementPaths.Clients, token));

        ManagementAssert.Json(HttpStatusCode.OK, await Api.PatchAsync(ManagementPaths.Client(demoted.ClientId), new { scope = "decisions:read" }));

        var response = await Api.GetAsync(ManagementPaths.Clients, token);
        ManagementAssert.Problem(HttpStatusCode.Forbidden, "insufficient_scope", response);
        Assert.Contains("clients:manage", response.Header("WWW-Authenticate"));
    }

    [Fact]
    public async Task UsersApi_UsersScopeRemovedAfterTokenMinted_Returns403AtOnce()
    {
        var (demoted, token) = await NewOperatorAsync("clients:manage users:manage");
        ManagementAssert.Json(HttpStatusCode.OK, await Api.GetAsync(ManagementPaths.Users, token));

        ManagementAssert.Json(HttpStatusCode.OK, await Api.PatchAsync(ManagementPaths.Client(demoted.ClientId), new { scope = "clients:manage" }));

        ManagementAssert.Problem(HttpStatusCode.Forbidden, "insufficient_scope", await Api.GetAsync(ManagementPaths.Users, token));
        ManagementAssert.Json(HttpStatusCode.OK, await Api.GetAsync(ManagementPaths.Clients, token));
    }

    [Fact]
    public async Task Management_OperatorClientDeletedAfterTokenMinted_Returns401()
    {
        var (deleted, token) = await NewOperatorAsync("clients:manage");

        OAuthAssert.Status(HttpStatusCode.NoContent, await Api.DeleteAsync(ManagementPaths.Client(deleted.ClientId)));

        ManagementAssert.Problem(HttpStatusCode.Unauthorized, "invalid_token", await Api.GetAsync(ManagementPaths.Clients, token));
    }
}
