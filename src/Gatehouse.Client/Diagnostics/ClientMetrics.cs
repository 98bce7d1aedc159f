using System.Collections.Frozen;
using System.Diagnostics.Metrics;

namespace Gatehouse.Client.Diagnostics;

/// The client's instruments, on the meter named <see cref="MeterName"/>.
internal sealed class ClientMetrics : IDisposable
{
    public const string MeterName = "Gatehouse.Client";

    // Tag values must stay few: a server, or a proxy in front of it, can send any error string.
    private static readonly FrozenSet<string> KnownOutcomes = new[]
    {
        "success", "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type",
        "invalid_scope", "invalid_target", "server_error", "temporarily_unavailable", "rate_limited",
        "server_unreachable", "invalid_response",
    }.ToFrozenSet(StringComparer.Ordinal);

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
            "Requests sent to the token endpoint, by outcome (success, the OAuth error code, http_NNN, or other).");
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
        var bounded = KnownOutcomes.Contains(outcome) || IsHttpStatus(outcome) ? outcome : "other";
        var tag = new KeyValuePair<string, object?>("outcome", bounded);
        _tokenRequests.Add(1, tag);
        _tokenRequestDuration.Record(duration.TotalSeconds, tag);
    }

    // TokenEndpointClient's own "http_" + status for an error without a code: bounded by the status codes.
    private static bool IsHttpStatus(string outcome) => outcome.Length == 8 && outcome.StartsWith("http_", StringComparison.Ordinal);

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
