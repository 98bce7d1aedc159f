using System.Diagnostics.Metrics;
using System.Text;
using Gatehouse.Testing;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Client.Tests;

public sealed class CacheFixture : GatehouseFixture
{
    public CreatedClient Partner { get; private set; } = null!;

    protected override async Task SeedAsync() => Partner = await CreateClientAsync("cache");
}

/// Seed 002: cache and reuse tokens, keyed by client + scope set; Redis (any IDistributedCache) when there
/// are several instances, with the token protected there.
public sealed class CacheTests(CacheFixture fixture) : IClassFixture<CacheFixture>
{
    [Fact]
    public async Task GetToken_Twice_OneTokenRequestOneCacheHit()
    {
        var recorder = new RecordingHandler();
        using var hits = new CounterListener("gatehouse.client.cache.hits");
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, recorder);

        var first = await client.GetTokenAsync();
        var second = await client.GetTokenAsync();

        Assert.Same(first, second);
        Assert.Equal(1, recorder.Count(ClientFactory.TokenPath));
        Assert.Equal(1, hits.Total);
    }

    [Fact]
    public async Task GetToken_AnotherScopeSet_AnotherToken()
    {
        var recorder = new RecordingHandler();
        using var readDecisions = ClientFactory.Create(fixture.Server, fixture.Partner, recorder, ["decisions:read"]);
        using var writeApplications = ClientFactory.Create(fixture.Server, fixture.Partner, recorder, ["applications:write"]);

        var a = await readDecisions.GetTokenAsync();
        var b = await writeApplications.GetTokenAsync();

        Assert.NotEqual(a.AccessToken, b.AccessToken);
        Assert.Equal("applications:write", Jwt.Payload(b.AccessToken).GetProperty("scope").GetString());
        Assert.Equal(2, recorder.Count(ClientFactory.TokenPath));
    }

    [Fact]
    public async Task DistributedCache_SecondInstanceSameScopeSet_ReusesTokenWithoutRequest()
    {
        var shared = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        var firstRecorder = new RecordingHandler();
        var secondRecorder = new RecordingHandler();
        using var first = ClientFactory.Create(fixture.Server, fixture.Partner, firstRecorder, ["decisions:read", "applications:read"], cache: shared);
        using var second = ClientFactory.Create(fixture.Server, fixture.Partner, secondRecorder, ["applications:read", "decisions:read", "decisions:read"], cache: shared);

        var minted = await first.GetTokenAsync();
        var reused = await second.GetTokenAsync();

        Assert.Equal(minted.AccessToken, reused.AccessToken);
        Assert.Equal(1, firstRecorder.Count(ClientFactory.TokenPath));
        Assert.Equal(0, secondRecorder.Count(ClientFactory.TokenPath));
    }

    [Fact]
    public async Task DistributedCache_InstancesSharingAToken_RefreshAtSpreadTimesAndOnlyTheFirstMints()
    {
        var shared = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var recorder = new RecordingHandler();
        using var refreshes = new CounterListener("gatehouse.client.token.refreshes");
        var instances = Enumerable.Range(0, 5)
            .Select(_ => ClientFactory.Create(fixture.Server, fixture.Partner, recorder, ["accounts:read"], time: time, cache: shared)).ToList();
        try
        {
            var token = await instances[0].GetTokenAsync();
            foreach (var instance in instances) Assert.Equal(token.AccessToken, (await instance.GetTokenAsync()).AccessToken);

            // Same token, so without jitter the same refresh moment. Spread over the 10% of the lifetime before the
            // 90% mark (earlier only), five instances land more than a second apart all but never.
            var order = instances.OrderBy(i => i.NextRefreshAt).ToList();
            Assert.True(order[^1].NextRefreshAt - order[0].NextRefreshAt > TimeSpan.FromSeconds(1),
                $"refreshes at {string.Join(", ", order.Select(i => i.NextRefreshAt.ToString("HH:mm:ss.fff")))}");
            Assert.All(order, i => Assert.InRange(i.NextRefreshAt, token.RefreshAt - (token.ExpiresAt - token.IssuedAt) / 10, token.RefreshAt));

            for (var n = 0; n < order.Count; n++)
            {
                time.Advance(order[n].NextRefreshAt - time.GetUtcNow());
                await Eventually.TrueAsync(() => refreshes.Total == n + 1, TimeSpan.FromSeconds(10), $"refresh {n + 1}");
            }

            Assert.Equal(2, recorder.Count(ClientFactory.TokenPath)); // the first token, then one refresh for all five
            var renewed = await order[0].GetTokenAsync();
            Assert.NotEqual(token.AccessToken, renewed.AccessToken);
            foreach (var instance in order) Assert.Equal(renewed.AccessToken, (await instance.GetTokenAsync()).AccessToken);
        }
        finally
        {
            foreach (var instance in instances) instance.Dispose();
        }
    }

    [Fact]
    public async Task DistributedCache_Entry_IsEncryptedNotTheToken()
    {
        var recording = new RecordingDistributedCache();
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, new RecordingHandler(), cache: recording);

        var token = await client.GetTokenAsync();

        var (key, value) = Assert.Single(recording.Entries);
        var stored = Encoding.Latin1.GetString(value);
        Assert.DoesNotContain(token.AccessToken.Split('.')[1], stored);
        Assert.DoesNotContain(fixture.Partner.ClientId, stored);
        Assert.DoesNotContain(fixture.Partner.ClientId, key);
        Assert.Equal(1, value[0]); // format version, then nonce, tag and AES-GCM ciphertext
    }

    [Fact]
    public async Task DistributedCache_EntryWrittenUnderAnotherSecret_IsIgnored()
    {
        var recording = new RecordingDistributedCache();
        using (var writer = ClientFactory.Create(fixture.Server, fixture.Partner, new RecordingHandler(), cache: recording))
            await writer.GetTokenAsync();
        var key = Assert.Single(recording.Entries).Key;
        var stored = recording.Entries[key];
        stored[^1] ^= 0xFF; // tampered (or sealed with another secret): authentication fails
        recording.Entries[key] = stored;
        var recorder = new RecordingHandler();
        using var reader = ClientFactory.Create(fixture.Server, fixture.Partner, recorder, cache: recording);

        await reader.GetTokenAsync();

        Assert.Equal(1, recorder.Count(ClientFactory.TokenPath));
    }
}

internal sealed class RecordingDistributedCache : IDistributedCache
{
    private readonly MemoryDistributedCache _inner = new(Options.Create(new MemoryDistributedCacheOptions()));

    public Dictionary<string, byte[]> Entries { get; } = new();

    public byte[]? Get(string key) => Entries.GetValueOrDefault(key);
    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult(Get(key));
    public void Refresh(string key) { }
    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;
    public void Remove(string key) => Entries.Remove(key);
    public Task RemoveAsync(string key, CancellationToken token = default) { Remove(key); return Task.CompletedTask; }
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Entries[key] = value;
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) { Set(key, value, options); return Task.CompletedTask; }
}

/// Sums one counter of the Gatehouse.Client meter.
internal sealed class CounterListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public CounterListener(string instrument)
    {
        _listener.InstrumentPublished = (i, listener) =>
        {
            if (i.Meter.Name == GatehouseClient.MeterName && i.Name == instrument) listener.EnableMeasurementEvents(i);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}
