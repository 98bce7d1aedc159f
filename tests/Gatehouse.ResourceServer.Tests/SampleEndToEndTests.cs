using System.Diagnostics;
using System.Net;
using Gatehouse.Testing;

namespace Gatehouse.ResourceServer.Tests;

public sealed class SampleFixture : GatehouseFixture
{
    public CreatedClient Caller { get; private set; } = null!;
    public CreatedClient Reader { get; private set; } = null!;
    public CreatedClient ApiCredentials { get; private set; } = null!;
    public LoopbackApi Api { get; private set; } = null!;

    protected override async Task SeedAsync()
    {
        Caller = await CreateClientAsync("sample-caller", scope: "decisions:read applications:write");
        Reader = await CreateClientAsync("sample-reader", scope: "decisions:read");
        ApiCredentials = await CreateClientAsync("sample-api", scope: "decisions:read", resourceServer: true);
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Api = await LoopbackApi.StartAsync(PartnerApi.PartnerApiApp.Build([
            "--urls", "http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            $"--Gatehouse:Authority={Server.Issuer}",
            $"--Gatehouse:ClientId={ApiCredentials.ClientId}",
            $"--Gatehouse:ClientSecret={ApiCredentials.ClientSecret}",
        ]));
    }

    public override async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await base.DisposeAsync();
    }
}

/// The README's walk-through: gatehouse, samples/PartnerApi and samples/PartnerCaller talking over loopback.
public sealed class SampleEndToEndTests(SampleFixture fixture) : IClassFixture<SampleFixture>
{
    [Fact]
    public async Task PartnerCaller_AgainstPartnerApi_ReadsDecisionAndCreatesApplication()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "partner-caller", "PartnerCaller.dll"));
        start.Environment["Gatehouse__Authority"] = fixture.Server.Issuer;
        start.Environment["Gatehouse__ClientId"] = fixture.Caller.ClientId;
        start.Environment["Gatehouse__ClientSecret"] = fixture.Caller.ClientSecret;
        start.Environment["PartnerApi__BaseUrl"] = fixture.Api.BaseAddress;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        using var caller = Process.Start(start)!;
        var stdout = caller.StandardOutput.ReadToEndAsync();
        var stderr = caller.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        await caller.WaitForExitAsync(timeout.Token);

        var output = await stdout;
        Assert.True(caller.ExitCode == 0, $"exit {caller.ExitCode}\n{output}\n{await stderr}");
        Assert.Contains("decision: 200 {\"id\":\"dec_1001\",\"outcome\":\"approved\"", output);
        Assert.Contains("application: 201 {\"id\":\"app_", output);
        Assert.Contains($"\"partner_client_id\":\"{fixture.Caller.ClientId}\"", output);
    }

    [Fact]
    public async Task PartnerApi_ReaderCreatingApplication_Returns403NamingApplicationsWrite()
    {
        var token = await TokenSource.MintAsync(fixture.Server, fixture.Reader);
        using var http = fixture.Api.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/partner/v1/applications")
        {
            Content = new StringContent("{\"company_number\":\"1\",\"amount_minor\":1}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", token);

        using var response = await http.SendAsync(request);
        using var decision = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", token);
        using var metadata = await fixture.Api.GetAsync("/.well-known/oauth-protected-resource", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("scope=\"applications:write\"", response.Challenge());
        Assert.Equal(HttpStatusCode.OK, decision.StatusCode);
        Assert.Contains("\"applications:read\",\"applications:write\",\"decisions:read\"", await metadata.Content.ReadAsStringAsync());
    }
}
