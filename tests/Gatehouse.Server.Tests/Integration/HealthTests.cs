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
        var response = await fixture.Server.Management.GetAsync("/readyz");

        OAuthAssert.Status(HttpStatusCode.OK, response);
        OAuthAssert.JsonBody(response);
        var checks = OAuthAssert.Property(response.Json, "checks");
        Assert.Equal("ok", OAuthAssert.StringProperty(checks, "storage"));
        Assert.Equal("ok", OAuthAssert.StringProperty(checks, "signing_keys"));
        Assert.Equal("not_configured", OAuthAssert.StringProperty(checks, "redis"));
    }

    [Fact]
    public async Task Metrics_AfterTokenRequests_CountsIssuedAndRefusedInPrometheusFormat()
    {
        var client = await GatehouseCli.CreateClientAsync(fixture.DataDirectory, "metrics", rateLimit: GatehouseFixture.UnthrottledRateLimit);
        await Eventually.Within(TimeSpan.FromSeconds(1), () => fixture.OAuth.RequestTokenBasicAsync(client.ClientId, client.ClientSecret),
            r => r.Status == HttpStatusCode.OK, "the new client can get a token");
        await fixture.OAuth.RequestTokenBasicAsync(client.ClientId, "wrong");

        var response = await fixture.Server.Management.GetAsync("/metrics");

        OAuthAssert.Status(HttpStatusCode.OK, response);
        Assert.Matches(@"gatehouse_tokens_issued_total\{[^}]*grant_type=""client_credentials""[^}]*\} [1-9]", response.Body);
        Assert.Matches(@"gatehouse_token_errors_total\{[^}]*error=""invalid_client""[^}]*\} [1-9]", response.Body);
        Assert.Contains("http_server_request_duration_seconds", response.Body);
    }
}
