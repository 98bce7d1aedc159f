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

    [Fact]
    public async Task BackgroundRefresh_AuthorityDownUntilTokenExpires_StopsRetryingAndLeavesItToCallers()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var recorder = new RecordingHandler();
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, recorder, time: time,
            configure: o => o.MaxTokenRequestAttempts = 1);
        var token = await client.GetTokenAsync();
        var beforeOutage = recorder.Attempts;
        recorder.Unreachable = true;

        // The refresh is due 5 s in; it fails, and is retried while the token lasts (usable until 60 s in).
        while (time.GetUtcNow() < token.ExpiresAt)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }
        await Task.Delay(200); // a refresh still failing settles
        var attempts = recorder.Attempts;
        Assert.True(attempts - beforeOutage >= 3, $"{attempts - beforeOutage} background attempts while the token lasted");

        for (var i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromSeconds(30));
            await Task.Delay(50);
        }

        Assert.Equal(attempts, recorder.Attempts); // nobody is waiting for a token: no more requests to a dead server
        recorder.Unreachable = false;
        var next = await client.GetTokenAsync();   // a caller asks again
        Assert.NotEqual(token.AccessToken, next.AccessToken);
    }
}
