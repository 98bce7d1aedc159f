using System.Diagnostics;
using System.Net;
using Gatehouse.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Client.Tests;

public sealed class RetryAfterFixture : GatehouseFixture
{
    /// One token request per second (seed 002's limit, lowered), so the second in a second gets 429.
    public CreatedClient Throttled { get; private set; } = null!;
    public CreatedClient Partner { get; private set; } = null!;

    protected override async Task SeedAsync()
    {
        Throttled = await CreateClientAsync("throttled", rateLimit: 1);
        Partner = await CreateClientAsync("retry-after");
    }
}

/// SPEC 10: 429/503 back off honouring Retry-After — from the token endpoint and from APIs.
public sealed class RetryAfterTests(RetryAfterFixture fixture) : IClassFixture<RetryAfterFixture>
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(50);

    /// The throttled client allows one token a second, shared by every test here: start each in a window of its
    /// own (a second, plus the server limiter's 100 ms replenishment tick and some slack).
    private static Task FreshWindowAsync() => Task.Delay(TimeSpan.FromMilliseconds(1300));

    [Fact]
    public async Task TokenEndpoint_429WithRetryAfter_WaitsThatLongThenSucceeds()
    {
        await FreshWindowAsync();
        var recorder = new RecordingHandler();
        using var decisions = ClientFactory.Create(fixture.Server, fixture.Throttled, recorder, ["decisions:read"]);
        using var applications = ClientFactory.Create(fixture.Server, fixture.Throttled, recorder, ["applications:read"]);
        await decisions.GetTokenAsync();

        var token = await applications.GetTokenAsync(); // same client, same second: the server says 429

        var exchanges = recorder.Exchanges.Where(e => e.Path == ClientFactory.TokenPath).ToList();
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.OK], exchanges.Select(e => e.Status));
        var retryAfter = exchanges[1].RetryAfter ?? throw new Xunit.Sdk.XunitException("429 without Retry-After");
        Assert.True(exchanges[2].SentAt - exchanges[1].SentAt >= retryAfter - Tolerance,
            $"retried after {(exchanges[2].SentAt - exchanges[1].SentAt).TotalMilliseconds} ms; Retry-After was {retryAfter}");
        Assert.Equal("applications:read", token.Scope);
    }

    [Fact]
    public async Task TokenEndpoint_RetryAfterLongerThanAllowed_FailsAtOnceWithRetryAfter()
    {
        await FreshWindowAsync();
        var recorder = new RecordingHandler();
        using var first = ClientFactory.Create(fixture.Server, fixture.Throttled, recorder, ["identity:read"]);
        using var impatient = ClientFactory.Create(fixture.Server, fixture.Throttled, recorder, ["accounts:read"],
            configure: o => o.MaxRetryAfter = TimeSpan.FromMilliseconds(500));
        await first.GetTokenAsync();

        var error = await Assert.ThrowsAsync<GatehouseTokenException>(() => impatient.GetTokenAsync());

        Assert.Equal("rate_limited", error.Error);
        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        Assert.NotNull(error.RetryAfter);
        Assert.Equal(2, recorder.Count(ClientFactory.TokenPath));
    }

    [Fact]
    public async Task TokenEndpoint_RetryAfterLongerThanAllowed_NextCallFailsFastWithoutRequest()
    {
        await FreshWindowAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow); // frozen: the Retry-After cannot run out during the test
        var recorder = new RecordingHandler();
        using var first = ClientFactory.Create(fixture.Server, fixture.Throttled, new RecordingHandler(), ["identity:read"]);
        using var impatient = ClientFactory.Create(fixture.Server, fixture.Throttled, recorder, ["accounts:read"], time: time,
            configure: o => o.MaxRetryAfter = TimeSpan.FromMilliseconds(500));
        await first.GetTokenAsync();
        await Assert.ThrowsAsync<GatehouseTokenException>(() => impatient.GetTokenAsync()); // 429, Retry-After too long

        var again = await Assert.ThrowsAsync<GatehouseTokenException>(() => impatient.GetTokenAsync());

        Assert.Equal(1, recorder.Count(ClientFactory.TokenPath));
        Assert.Equal("rate_limited", again.Error);
        Assert.NotNull(again.RetryAfter);
    }

    [Fact]
    public async Task Api_503WithRetryAfter_WaitsThenRepeatsTheRequest()
    {
        await using var api = await ScriptedApi.StartAsync((n, response) => n == 1 ? ScriptedApi.Status(response, 503, "1") : ScriptedApi.Ok(response));
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, new RecordingHandler());
        using var http = api.ClientThrough(client);

        using var response = await http.GetAsync("/partner/v1/decisions/dec_1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var requests = api.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(1) - Tolerance,
            $"repeated after {(requests[1].At - requests[0].At).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Api_429WithRetryAfterBeyondMax_ReturnedWithoutWaiting()
    {
        await using var api = await ScriptedApi.StartAsync((_, response) => ScriptedApi.Status(response, 429, "120"));
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, new RecordingHandler());
        using var http = api.ClientThrough(client);
        await client.GetTokenAsync();
        var clock = Stopwatch.StartNew();

        using var response = await http.GetAsync("/partner/v1/decisions/dec_1");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Single(api.Requests);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Api_503WithoutRetryAfter_ReturnedToTheCaller()
    {
        await using var api = await ScriptedApi.StartAsync((_, response) => ScriptedApi.Status(response, 503));
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, new RecordingHandler());
        using var http = api.ClientThrough(client);

        using var response = await http.GetAsync("/partner/v1/decisions/dec_1");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Single(api.Requests);
    }
}
