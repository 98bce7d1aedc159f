using System.Diagnostics;
using System.Net;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration;

public sealed class TokenRateLimitFixture : GatehouseFixture
{
    public CreatedClient LimitedTo3 { get; private set; } = null!;
    public CreatedClient NeighbourLimitedTo3 { get; private set; } = null!;
    public CreatedClient Bystander { get; private set; } = null!;
    public CreatedClient DefaultLimit { get; private set; } = null!;

    protected override async Task SeedAsync()
    {
        LimitedTo3 = await CreateClientAsync("limited-3", rateLimit: 3);
        NeighbourLimitedTo3 = await CreateClientAsync("limited-3-neighbour", rateLimit: 3);
        Bystander = await CreateClientAsync("bystander", rateLimit: 3);
        DefaultLimit = await CreateClientAsync("default-limit", rateLimit: null);
    }
}

/// SPEC 4 "Rate limit per client": default 10 requests/second (seed 002), overridable per client;
/// over it 429 with Retry-After and {"error":"rate_limited"}. Failed authentication from one address is throttled.
public sealed class TokenRateLimitTests(TokenRateLimitFixture fixture) : IClassFixture<TokenRateLimitFixture>
{
    /// <summary>
    /// Sends <paramref name="count"/> token requests at once and expects exactly <paramref name="limit"/>
    /// to succeed and the rest to be refused. A burst takes milliseconds, but a fixed-window limiter may
    /// see it straddle a one-second boundary; such a straddle earns one more try after the window.
    /// Returns the refused responses.
    /// </summary>
    async Task<OAuthResponse[]> BurstOverLimitAsync(CreatedClient client, int limit, int count)
    {
        OAuthResponse[] burst = [];
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var clock = Stopwatch.StartNew();
            burst = await Task.WhenAll(Enumerable.Range(0, count).Select(_ =>
                fixture.OAuth.RequestTokenBasicAsync(client, OAuthTestClient.ClientCredentialsForm("decisions:read"))));
            var elapsed = clock.Elapsed;

            var ok = burst.Count(r => r.Status == HttpStatusCode.OK);
            var limited = burst.Count(r => r.Status == HttpStatusCode.TooManyRequests);
            if (ok == limit && limited == count - limit) return burst.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToArray();
            if (elapsed < TimeSpan.FromSeconds(1) && ok < limit) break; // too few successes is never a window effect
            await Task.Delay(TimeSpan.FromSeconds(1.2));
        }
        Assert.Fail($"Expected {limit} x 200 and {count - limit} x 429 from one burst, got: " +
                    string.Join(", ", burst.Select(r => (int)r.Status).Order()) + "\nfirst non-200:\n" +
                    burst.FirstOrDefault(r => r.Status != HttpStatusCode.OK));
        return [];
    }

    static void AssertRateLimited(OAuthResponse response)
    {
        OAuthAssert.Status(HttpStatusCode.TooManyRequests, response);
        OAuthAssert.JsonBody(response);
        Assert.Equal("rate_limited", response.Text("error"));
        OAuthAssert.RetryAfterSeconds(response, min: 1, max: 60);
        OAuthAssert.NoStore(response);
    }

    [Fact]
    public async Task Token_OverClientRateLimit_Returns429RateLimitedWithRetryAfter()
    {
        var refused = await BurstOverLimitAsync(fixture.LimitedTo3, limit: 3, count: 6);

        foreach (var limited in refused) AssertRateLimited(limited);
    }

    [Fact]
    public async Task Token_NoClientRateLimit_DefaultsTo10PerSecond()
    {
        var refused = await BurstOverLimitAsync(fixture.DefaultLimit, limit: 10, count: 12);

        foreach (var limited in refused) AssertRateLimited(limited);
    }

    [Fact]
    public async Task Token_OneClientRateLimited_OtherClientsUnaffected()
    {
        await BurstOverLimitAsync(fixture.NeighbourLimitedTo3, limit: 3, count: 5);

        var other = await fixture.OAuth.RequestTokenBasicAsync(fixture.Bystander);

        OAuthAssert.Status(HttpStatusCode.OK, other);
    }

    [Fact]
    public async Task Token_RepeatedFailedAuthenticationFromOneAddress_Returns429WithRetryAfter()
    {
        using var dataDirectory = new ScratchDirectory();
        var client = await GatehouseCli.CreateClientAsync(dataDirectory.Path, "victim", rateLimit: GatehouseFixture.UnthrottledRateLimit);
        await using var server = await GatehouseProcess.StartAsync(dataDirectory.Path, new Dictionary<string, string>
        {
            ["Gatehouse:RateLimits:FailedAuthenticationsPerMinute"] = "5",
        });
        const string wrongSecret = "cc_secret_sandbox_WrongWrongWrongWrongWrongWrongWrong000000000";

        var responses = new List<OAuthResponse>();
        for (var i = 0; i < 7; i++)
            responses.Add(await server.OAuth.RequestTokenBasicAsync(client.ClientId, wrongSecret));

        foreach (var failed in responses.Take(5)) OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", failed);
        foreach (var throttled in responses.Skip(5))
        {
            OAuthAssert.Status(HttpStatusCode.TooManyRequests, throttled);
            OAuthAssert.RetryAfterSeconds(throttled, min: 1, max: 120); // failures count for one to two minutes
            OAuthAssert.NoStore(throttled);
        }

        // Refused before evaluating (docs/hardening.md item 6): a throttled address gets no answer to any guess,
        // right or wrong. A clean network is still served: Hardening/FailedAuthenticationThrottleTests.
        OAuthAssert.Status(HttpStatusCode.TooManyRequests, await server.OAuth.RequestTokenBasicAsync(client.ClientId, client.ClientSecret));
    }
}
