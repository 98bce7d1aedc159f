using Gatehouse.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Client.Tests;

public sealed class DiscoveryFixture : GatehouseFixture
{
    public CreatedClient Partner { get; private set; } = null!;

    protected override async Task SeedAsync() => Partner = await CreateClientAsync("discovery");
}

/// Seed 000: point the library at the base URL; it reads the metadata, caches it and refreshes it daily.
public sealed class DiscoveryTests(DiscoveryFixture fixture) : IClassFixture<DiscoveryFixture>
{
    [Fact]
    public async Task GetToken_AuthorityOnly_FindsTokenEndpointInDiscovery()
    {
        var recorder = new RecordingHandler();
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, recorder);

        var token = await client.GetTokenAsync();

        Assert.Equal([ClientFactory.DiscoveryPath, ClientFactory.TokenPath], recorder.Exchanges.Select(e => e.Path));
        Assert.Equal("at+jwt", Jwt.Header(token.AccessToken).GetProperty("typ").GetString());
        Assert.Equal(fixture.Partner.ClientId, Jwt.Payload(token.AccessToken).GetProperty("client_id").GetString());
        Assert.Equal("decisions:read", token.Scope);
    }

    [Fact]
    public async Task GetToken_DocumentNamesAnotherIssuer_ThrowsDiscoveryFailed()
    {
        // Same server, reached as "localhost": its metadata names 127.0.0.1, so RFC 8414 §3.3 says stop.
        var authority = fixture.Server.Issuer.Replace("127.0.0.1", "localhost");
        var recorder = new RecordingHandler();
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, recorder, authority: authority);

        var error = await Assert.ThrowsAsync<GatehouseTokenException>(() => client.GetTokenAsync());

        Assert.Equal("discovery_failed", error.Error);
        Assert.Contains("issuer", error.Message);
        Assert.Equal(0, recorder.Count(ClientFactory.TokenPath));
    }

    [Fact]
    public async Task Discovery_CachedForADay_FetchedAgainAfter()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var recorder = new RecordingHandler();
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, recorder, time: time);

        var first = await client.GetTokenAsync();
        await client.InvalidateAsync(first);
        var second = await client.GetTokenAsync();           // a new token request, same metadata
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(1, recorder.Count(ClientFactory.DiscoveryPath));

        time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1)); // also due for refresh: the timer mints in the background
        await Eventually.TrueAsync(() => recorder.Count(ClientFactory.TokenPath) == 3, TimeSpan.FromSeconds(10), "a background refresh");

        Assert.Equal(2, recorder.Count(ClientFactory.DiscoveryPath));
    }
}
