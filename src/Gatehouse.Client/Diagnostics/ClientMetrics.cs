using System.Diagnostics.Metrics;

namespace Gatehouse.Client.Diagnostics;

/// The client's instruments, on the meter named <see cref="MeterName"/>.
internal sealed class ClientMetrics : IDisposable
{
    public const string MeterName = "Gatehouse.Client";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _tokenRequests;
    private readonly Histogram<double> _tokenRequestDuration;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _discoveryFetches;

    public ClientMetrics(IMeterFactory? factory)
    {
        _ownsMeter = factory is null;
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _tokenRequests = _meter.CreateCounter<long>("gatehouse.client.token.requests", "{request}",
            "Requests sent to the token endpoint, by outcome (success or the OAuth error code).");
        _tokenRequestDuration = _meter.CreateHistogram<double>("gatehouse.client.token.request.duration", "s",
            "Time for one token endpoint round trip.");
        _cacheHits = _meter.CreateCounter<long>("gatehouse.client.cache.hits", "{hit}",
            "Tokens served from the cache, by tier (memory or distributed).");
        _cacheMisses = _meter.CreateCounter<long>("gatehouse.client.cache.misses", "{miss}",
            "Token lookups that had to wait for a token request.");
        _refreshes = _meter.CreateCounter<long>("gatehouse.client.token.refreshes", "{refresh}",
            "Proactive background refreshes, by outcome.");
        _retries = _meter.CreateCounter<long>("gatehouse.client.retries", "{retry}",
            "Requests repeated, by reason (invalid_token, retry_after, transient).");
        _discoveryFetches = _meter.CreateCounter<long>("gatehouse.client.discovery.fetches", "{fetch}",
            "Discovery documents fetched, by outcome.");
    }

    public void TokenRequest(string outcome, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        _tokenRequests.Add(1, tag);
        _tokenRequestDuration.Record(duration.TotalSeconds, tag);
    }

    public void CacheHit(string tier) => _cacheHits.Add(1, new KeyValuePair<string, object?>("tier", tier));
    public void CacheMiss() => _cacheMisses.Add(1);
    public void Refresh(string outcome) => _refreshes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    public void Retry(string reason) => _retries.Add(1, new KeyValuePair<string, object?>("reason", reason));
    public void DiscoveryFetch(string outcome) => _discoveryFetches.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }
}
