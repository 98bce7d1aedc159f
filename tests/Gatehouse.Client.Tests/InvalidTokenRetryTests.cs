using System.Net;
using System.Net.Http.Json;
using Gatehouse.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Client.Tests;

public sealed class RetryFixture : GatehouseFixture
{
    public CreatedClient Partner { get; private set; } = null!;

    protected override async Task SeedAsync() => Partner = await CreateClientAsync("retry");
}

/// Seed 002: on a 401 invalid_token, refresh once and retry the original request a single time.
public sealed class InvalidTokenRetryTests(RetryFixture fixture) : IClassFixture<RetryFixture>
{
    [Fact]
    public async Task Handler_401InvalidToken_DropsTokenMintsNewAndRetriesOnce()
    {
        await using var api = await ScriptedApi.StartAsync((n, response) => n == 1 ? ScriptedApi.InvalidToken(response) : ScriptedApi.Ok(response));
        var recorder = new RecordingHandler();
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, recorder);
        using var http = api.ClientThrough(client);

        using var response = await http.GetAsync("/partner/v1/decisions/dec_1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokens = api.Requests.Select(r => r.Token).ToList();
        Assert.Equal(2, tokens.Count);
        Assert.NotEqual(tokens[0], tokens[1]);
        Assert.Equal(2, recorder.Count(ClientFactory.TokenPath));
        Assert.Equal(tokens[1], (await client.GetTokenAsync()).AccessToken);
    }

    [Fact]
    public async Task Handler_401InvalidTokenAgain_ReturnsSecond401WithoutThirdAttempt()
    {
        await using var api = await ScriptedApi.StartAsync((_, response) => ScriptedApi.InvalidToken(response));
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, new RecordingHandler());
        using var http = api.ClientThrough(client);

        using var response = await http.GetAsync("/partner/v1/decisions/dec_1");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(2, api.Requests.Count);
    }

    [Fact]
    public async Task Handler_401InvalidTokenEvenForFreshTokens_RenewsAtMostOncePer30Seconds()
    {
        await using var api = await ScriptedApi.StartAsync((_, response) => ScriptedApi.InvalidToken(response));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var recorder = new RecordingHandler();
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, recorder, time: time);
        using var http = api.ClientThrough(client);

        for (var call = 0; call < 3; call++)
        {
            using var response = await http.GetAsync("/partner/v1/decisions/dec_1");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Equal(2, recorder.Count(ClientFactory.TokenPath)); // the first token and one renewal, not one per call
        Assert.Equal(4, api.Requests.Count);                      // 2 (with the retry), then 1 and 1

        time.Advance(TimeSpan.FromSeconds(31));
        using (var later = await http.GetAsync("/partner/v1/decisions/dec_1")) Assert.Equal(HttpStatusCode.Unauthorized, later.StatusCode);
        Assert.Equal(3, recorder.Count(ClientFactory.TokenPath));
    }

    [Fact]
    public async Task Handler_401InvalidTokenOnJsonPost_ReplaysTheSameBody()
    {
        await using var api = await ScriptedApi.StartAsync((n, response) => n == 1 ? ScriptedApi.InvalidToken(response) : ScriptedApi.Ok(response));
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, new RecordingHandler());
        using var http = api.ClientThrough(client);

        using var response = await http.PostAsJsonAsync("/partner/v1/applications", new { company_number = "09876543", amount_minor = 2_500_000 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bodies = api.Requests.Select(r => r.Body).ToList();
        Assert.Equal(2, bodies.Count);
        Assert.Contains("09876543", bodies[1]);
        Assert.Equal(bodies[0], bodies[1]);
    }

    [Fact]
    public async Task Handler_401InvalidTokenOnStreamedBody_NotReplayedButTokenDropped()
    {
        await using var api = await ScriptedApi.StartAsync((n, response) => n == 1 ? ScriptedApi.InvalidToken(response) : ScriptedApi.Ok(response));
        var recorder = new RecordingHandler();
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, recorder);
        using var http = api.ClientThrough(client);
        var first = await client.GetTokenAsync();

        using var response = await http.PostAsync("/partner/v1/applications", new StreamContent(new NonSeekableStream("{\"company_number\":\"1\"}"u8.ToArray())));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Single(api.Requests);
        Assert.NotEqual(first.AccessToken, (await client.GetTokenAsync()).AccessToken);
    }

    [Fact]
    public async Task Handler_401WithoutInvalidTokenError_NotRetried()
    {
        await using var api = await ScriptedApi.StartAsync((_, response) =>
        {
            response.StatusCode = 401;
            response.Headers.WWWAuthenticate = "Bearer resource_metadata=\"http://example.test/.well-known/oauth-protected-resource\"";
            return Task.CompletedTask;
        });
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, new RecordingHandler());
        using var http = api.ClientThrough(client);

        using var response = await http.GetAsync("/partner/v1/decisions/dec_1");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Single(api.Requests);
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
