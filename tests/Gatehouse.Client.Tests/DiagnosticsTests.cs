using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Gatehouse.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
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
    public async Task Metrics_UnknownServerErrorCode_TaggedOther()
    {
        // An authority (or a proxy in front of it) that answers with an error code of its own making.
        await using var authority = await LoopbackApi.StartAsync(null, app =>
        {
            app.MapGet("/.well-known/oauth-authorization-server", (HttpRequest request) =>
                Results.Json(new { issuer = $"http://{request.Host}", token_endpoint = $"http://{request.Host}/oauth/token" }));
            app.MapPost("/oauth/token", () => Results.Json(new { error = "quota_" + Guid.NewGuid().ToString("N") }, statusCode: 400));
        });
        var outcomes = new ConcurrentQueue<string?>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GatehouseClient.MeterName && instrument.Name == "gatehouse.client.token.requests") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags) if (tag.Key == "outcome") outcomes.Enqueue(tag.Value as string);
        });
        listener.Start();
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, new RecordingHandler(), authority: authority.BaseAddress.TrimEnd('/'));

        var error = await Assert.ThrowsAsync<GatehouseTokenException>(() => client.GetTokenAsync());

        Assert.StartsWith("quota_", error.Error); // the caller still sees the server's code
        Assert.Equal(["other"], outcomes);
    }

    [Fact]
    public void AddGatehouseClient_CalledTwice_ThrowsInsteadOfMerging()
    {
        var services = new ServiceCollection();
        services.AddGatehouseClient(o => o.Scopes = ["decisions:read"]);

        var error = Assert.Throws<InvalidOperationException>(() => services.AddGatehouseClient(o => o.Scopes = ["applications:write"]));

        Assert.Contains("AddGatehouseClient", error.Message);
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
