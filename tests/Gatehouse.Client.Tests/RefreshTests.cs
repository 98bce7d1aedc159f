using Gatehouse.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Client.Tests;

/// Tokens live 65 s here: 90% of that is 58.5 s, but "at least 60 s before exp" wins, so refresh is due 5 s in.
public sealed class ShortLifetimeFixture : GatehouseFixture
{
    public CreatedClient Partner { get; private set; } = null!;

    protected override Dictionary<string, string> Settings
    {
        get
        {
            var settings = base.Settings;
            settings["Gatehouse:Tokens:AccessTokenLifetime"] = "00:01:05";
            return settings;
        }
    }

    protected override async Task SeedAsync() => Partner = await CreateClientAsync("refresh");
}

/// Seed 002: refresh proactively so an in-flight request never races expiry, and no caller waits for it.
public sealed class RefreshTests(ShortLifetimeFixture fixture) : IClassFixture<ShortLifetimeFixture>
{
    [Fact]
    public async Task Token_BeforeRefreshPoint_ServedFromCacheWithoutRequest()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var recorder = new RecordingHandler();
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, recorder, time: time);
        var first = await client.GetTokenAsync();
        Assert.Equal(65, (first.ExpiresAt - time.GetUtcNow()).TotalSeconds, precision: 0);

        time.Advance(TimeSpan.FromSeconds(4.5));
        var again = client.GetTokenAsync();

        Assert.True(again.IsCompletedSuccessfully);
        Assert.Same(first, await again);
        Assert.Equal(1, recorder.Count(ClientFactory.TokenPath));
    }

    [Fact]
    public async Task Token_PastRefreshPoint_RefreshedInBackgroundWhileCallersKeepTheValidOne()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var recorder = new RecordingHandler();
        using var refreshes = new CounterListener("gatehouse.client.token.refreshes");
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, recorder, time: time);
        var first = await client.GetTokenAsync();

        time.Advance(TimeSpan.FromSeconds(6)); // the refresh timer fires: 60 s before exp
        var during = client.GetTokenAsync();   // never waits: the old token has a minute left
        Assert.True(during.IsCompletedSuccessfully);

        await Eventually.TrueAsync(() => refreshes.Total == 1, TimeSpan.FromSeconds(10), "the background refresh");
        var refreshed = await client.GetTokenAsync();
        Assert.NotEqual(first.AccessToken, refreshed.AccessToken);
        Assert.True(refreshed.ExpiresAt > first.ExpiresAt);
        Assert.Equal(2, recorder.Count(ClientFactory.TokenPath));
    }

    [Fact]
    public async Task Token_Expired_CallerGetsANewOne()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var recorder = new RecordingHandler();
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, recorder, time: time);
        var first = await client.GetTokenAsync();

        time.Advance(TimeSpan.FromSeconds(66));
        var next = await client.GetTokenAsync();

        Assert.NotEqual(first.AccessToken, next.AccessToken);
        Assert.True(next.ExpiresAt > time.GetUtcNow());
    }
}
