using Gatehouse.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Client.Tests;

public sealed class DiagnosticsFixture : GatehouseFixture
{
    public CreatedClient Partner { get; private set; } = null!;

    protected override async Task SeedAsync() => Partner = await CreateClientAsync("diagnostics");
}

/// Logging and metrics hooks, and the DI registration a partner app uses.
public sealed class DiagnosticsTests(DiagnosticsFixture fixture) : IClassFixture<DiagnosticsFixture>
{
    [Fact]
    public async Task Logs_AcrossSuccessRetryAndFailure_NeverContainSecretOrToken()
    {
        var capture = new LogCapture();
        using var logs = LoggerFactory.Create(builder => builder.AddProvider(capture).SetMinimumLevel(LogLevel.Trace));
        await using var api = await ScriptedApi.StartAsync((n, response) => n == 1 ? ScriptedApi.InvalidToken(response) : ScriptedApi.Ok(response));
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, new RecordingHandler(), logs: logs);
        using var bad = ClientFactory.Create(fixture.Server, fixture.Partner, new RecordingHandler(), logs: logs, secret: "cc_secret_sandbox_notit");
        using var http = api.ClientThrough(client);

        await http.GetAsync("/partner/v1/decisions/dec_1?x=1");
        await Assert.ThrowsAsync<GatehouseTokenException>(() => bad.GetTokenAsync());

        var lines = capture.Lines.ToList();
        Assert.Contains(lines, l => l.Contains("invalid_token"));
        Assert.Contains(lines, l => l.Contains("invalid_client"));
        var tokens = api.Requests.Select(r => r.Token!).ToList();
        foreach (var line in lines)
        {
            Assert.DoesNotContain(fixture.Partner.ClientSecret, line);
            Assert.DoesNotContain("cc_secret_sandbox_notit", line);
            Assert.DoesNotContain("eyJ", line); // the start of every JWT
            foreach (var token in tokens) Assert.DoesNotContain(token.Split('.')[2], line);
        }
    }

    [Fact]
    public async Task Token_ToString_DoesNotRevealTheToken()
    {
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, new RecordingHandler());

        var token = await client.GetTokenAsync();

        Assert.DoesNotContain(token.AccessToken, token.ToString());
        Assert.Contains("decisions:read", token.ToString());
    }

    [Fact]
    public async Task Metrics_TokenRequestsCounted()
    {
        using var requests = new CounterListener("gatehouse.client.token.requests");
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, new RecordingHandler());

        await client.GetTokenAsync();
        await client.GetTokenAsync();

        Assert.Equal(1, requests.Total);
    }

    [Fact]
    public async Task AddGatehouseClient_TypedHttpClientWithAddGatehouseToken_SendsBearerToken()
    {
        await using var api = await ScriptedApi.StartAsync((_, response) => ScriptedApi.Ok(response));
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddGatehouseClient(o =>
        {
            o.Authority = fixture.Server.Issuer;
            o.ClientId = fixture.Partner.ClientId;
            o.ClientSecret = fixture.Partner.ClientSecret;
            o.Scopes = ["decisions:read"];
            o.Audience = "partner/v1";
        });
        services.AddHttpClient<PartnerApi>(http => http.BaseAddress = new Uri(api.BaseAddress)).AddGatehouseToken();
        await using var provider = services.BuildServiceProvider();

        var answer = await provider.GetRequiredService<PartnerApi>().Http.GetStringAsync("/partner/v1/decisions/dec_1");

        Assert.Equal("ok", answer);
        var token = Assert.Single(api.Requests).Token!;
        Assert.Equal(fixture.Partner.ClientId, Jwt.Payload(token).GetProperty("client_id").GetString());
        Assert.Equal(token, (await provider.GetRequiredService<GatehouseClient>().GetTokenAsync()).AccessToken);
    }

    public sealed class PartnerApi(HttpClient http)
    {
        public HttpClient Http { get; } = http;
    }
}
