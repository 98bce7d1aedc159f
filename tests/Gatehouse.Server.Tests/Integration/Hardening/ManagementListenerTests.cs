using System.Net;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Hardening;

/// Issue 11, weakness 9: /metrics and /readyz are served on a separate (loopback) management listener, not on
/// the public port; /healthz stays public; `Gatehouse:Management:Urls=` (empty) puts them back on the main port.
public sealed class ManagementListenerTests(PlainGatehouseFixture fixture) : IClassFixture<PlainGatehouseFixture>
{
    [Theory]
    [InlineData("/metrics")]
    [InlineData("/readyz")]
    public async Task MainPort_MetricsAndReadiness_Return404(string path)
    {
        var response = await fixture.OAuth.GetAsync(path);

        OAuthAssert.Status(HttpStatusCode.NotFound, response);
        Assert.DoesNotContain("gatehouse_", response.Body);
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/readyz")]
    [InlineData("/healthz")]
    public async Task ManagementPort_MetricsReadinessAndHealth_Return200(string path)
    {
        Assert.NotEqual(fixture.Server.BaseAddress, fixture.Server.ManagementAddress);

        OAuthAssert.Status(HttpStatusCode.OK, await fixture.Server.Management.GetAsync(path));
    }

    [Fact]
    public async Task MainPort_Healthz_Returns200() => OAuthAssert.Status(HttpStatusCode.OK, await fixture.OAuth.GetAsync("/healthz"));

    [Theory]
    [InlineData("/.well-known/jwks.json")]
    [InlineData("/oauth/clients")]
    public async Task ManagementPort_ProtocolEndpoints_Return404(string path) =>
        OAuthAssert.Status(HttpStatusCode.NotFound, await fixture.Server.Management.GetAsync(path));

    [Fact]
    public async Task EmptyManagementUrls_ServesMetricsAndReadinessOnTheMainPort()
    {
        await using var server = await GatehouseProcess.StartAsync(settings: new Dictionary<string, string> { [GatehouseProcess.ManagementUrlsKey] = "" });

        OAuthAssert.Status(HttpStatusCode.OK, await server.OAuth.GetAsync("/metrics"));
        OAuthAssert.Status(HttpStatusCode.OK, await server.OAuth.GetAsync("/readyz"));
    }

    [Fact]
    public async Task ManagementUrlsOnTheMainPort_RefusesToStart()
    {

        // The check runs before anything binds, so the port itself does not matter.
        var started = await GatehouseCli.RunAsync(TestDirectories.Create(), "serve", "--urls", "http://127.0.0.1:1", $"--{GatehouseProcess.ManagementUrlsKey}=http://127.0.0.1:1");

        Assert.NotEqual(0, started.ExitCode);
        Assert.Contains(GatehouseProcess.ManagementUrlsKey, started.Stdout + started.Stderr);
    }
}
