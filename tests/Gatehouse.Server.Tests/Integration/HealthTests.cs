using System.Net;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration;

/// SPEC 2: liveness and readiness.
public sealed class HealthTests(PlainGatehouseFixture fixture) : IClassFixture<PlainGatehouseFixture>
{
    [Fact]
    public async Task Healthz_RunningServer_Returns200()
    {
        var response = await fixture.OAuth.GetAsync("/healthz");

        OAuthAssert.Status(HttpStatusCode.OK, response);
    }

    [Fact]
    public async Task Readyz_RunningServer_Returns200WithJson()
    {
        var response = await fixture.OAuth.GetAsync("/readyz");

        OAuthAssert.Status(HttpStatusCode.OK, response);
        OAuthAssert.JsonBody(response);
    }
}
