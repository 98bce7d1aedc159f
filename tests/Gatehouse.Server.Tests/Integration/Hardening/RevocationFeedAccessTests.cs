using System.Net;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Hardening;

public sealed class RevocationFeedAccessFixture : HardeningFixture
{
    public CreatedClient ResourceServer { get; private set; } = null!;

    protected override async Task SeedAsync()
    {
        await base.SeedAsync();
        ResourceServer = await CreateClientAsync("hardening-api", scope: "decisions:read", resourceServer: true);
    }
}

/// Issue 11, weakness 5 (SPEC 7): the revocation feed names every client's revocations, so only clients
/// registered as resource servers may read it; any other client gets 403.
public sealed class RevocationFeedAccessTests(RevocationFeedAccessFixture fixture) : IClassFixture<RevocationFeedAccessFixture>
{
    ManagementTestClient Api => fixture.Api;

    [Fact]
    public async Task Feed_ClientNotARegisteredResourceServer_Returns403UnauthorizedClient()
    {
        var response = await Api.RevocationFeedAsync(fixture.Partner);

        ManagementAssert.Problem(HttpStatusCode.Forbidden, "unauthorized_client", response);
        Assert.DoesNotContain("revocations", response.Body);
    }

    [Fact]
    public async Task Feed_ResourceServerCreatedWithTheCli_Returns200()
    {
        var response = await Api.RevocationFeedAsync(fixture.ResourceServer);

        ManagementAssert.Json(HttpStatusCode.OK, response);
    }

    [Fact]
    public async Task Feed_ResourceServerFlagSetAndClearedWithTheApi_TakesEffectAtOnce()
    {
        var client = await Api.RegisterAsync("hardening-api-2", scope: "decisions:read", resourceServer: true);
        await Eventually.Within(TimeSpan.FromSeconds(2), () => Api.RevocationFeedAsync(client), r => r.Status == HttpStatusCode.OK,
            "a client registered as a resource server reads the feed");

        ManagementAssert.Json(HttpStatusCode.OK, await Api.PatchAsync(ManagementPaths.Client(client.ClientId), new { resource_server = false }));

        ManagementAssert.Problem(HttpStatusCode.Forbidden, "unauthorized_client", await Api.RevocationFeedAsync(client));
    }
}
