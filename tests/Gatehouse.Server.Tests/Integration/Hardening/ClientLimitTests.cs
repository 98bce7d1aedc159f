using System.Net;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Hardening;

public sealed class ClientLimitFixture : HardeningFixture
{
    public CreatedClient ResourceServer { get; private set; } = null!;
    public CreatedClient Other { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Gatehouse:RateLimits:FailedAuthenticationsPerMinute"] = "100000",
        ["Gatehouse:RateLimits:IntrospectionsPerSecond"] = "3",
        ["Gatehouse:RateLimits:RevocationsPerSecond"] = "3",
        ["Gatehouse:RateLimits:FeedReadsPerSecond"] = "3",
        ["Gatehouse:RateLimits:SelfServiceChangesPerMinute"] = "2",
    };

    protected override async Task SeedAsync()
    {
        await base.SeedAsync();
        ResourceServer = await CreateClientAsync("limited-api", scope: "decisions:read", resourceServer: true);
        Other = await CreateClientAsync("limited-other");
    }
}

/// Issue 11, weakness 10: introspection, revocation, the feed and self-service changes have per-client limits,
/// answered with 429 and Retry-After; one client's burst does not limit another.
public sealed class ClientLimitTests(ClientLimitFixture fixture) : IClassFixture<ClientLimitFixture>
{
    OAuthTestClient OAuth => fixture.OAuth;

    static void AssertLimited(OAuthResponse response)
    {
        OAuthAssert.Status(HttpStatusCode.TooManyRequests, response);
        Assert.Equal("rate_limited", response.Text("error"));
        OAuthAssert.RetryAfterSeconds(response, min: 1, max: 60);
        OAuthAssert.NoStore(response);
    }

    [Fact]
    public async Task Introspect_BurstOverTheClientsLimit_Returns429WithRetryAfterForThatClientOnly()
    {
        var token = await OAuth.GetAccessTokenAsync(fixture.Partner);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => OAuth.IntrospectAsync(token, fixture.Partner)));

        Assert.Contains(responses, r => r.Status == HttpStatusCode.OK);
        AssertLimited(responses.First(r => r.Status != HttpStatusCode.OK));
        OAuthAssert.Active(await OAuth.IntrospectAsync(token, fixture.Other));
    }

    [Fact]
    public async Task Revoke_BurstOverTheClientsLimit_Returns429WithRetryAfter()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => OAuth.RevokeAsync("not-a-token", fixture.Other)));

        AssertLimited(responses.First(r => r.Status != HttpStatusCode.OK));
    }

    [Fact]
    public async Task Feed_BurstOverTheClientsLimit_Returns429WithRetryAfter()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => fixture.Api.RevocationFeedAsync(fixture.ResourceServer)));

        Assert.Contains(responses, r => r.Status == HttpStatusCode.OK);
        AssertLimited(responses.First(r => r.Status != HttpStatusCode.OK));
    }

    [Fact]
    public async Task SelfServiceSecretChanges_OverTheClientsLimit_Return429ButTheOperatorIsNotLimited()
    {
        var client = await fixture.Api.RegisterAsync("self-service-limited");
        var self = OAuthTestClient.Basic(client.ClientId, client.ClientSecret);

        var (added, _) = await fixture.Api.AddSecretAsync(client.ClientId, self);
        OAuthAssert.Status(HttpStatusCode.NoContent, await fixture.Api.DeleteAsync(ManagementPaths.Secret(client.ClientId, added), self));
        var third = await fixture.Api.PostAsync(ManagementPaths.Secrets(client.ClientId), null, self);

        ManagementAssert.Problem(HttpStatusCode.TooManyRequests, "rate_limited", third);
        OAuthAssert.RetryAfterSeconds(third, min: 1, max: 60);
        await fixture.Api.AddSecretAsync(client.ClientId); // the operator
    }
}
