using System.Collections.Frozen;
using Gatehouse.ResourceServer.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Gatehouse.ResourceServer.Validation;

/// The authority's RFC 8414 metadata and JWKS, as JwtBearer's configuration manager. Unlike the stock one,
/// a token with an unknown kid waits for the refreshed key set (at most one refresh per
/// UnknownKeyRefreshInterval), so the first token signed after a key rotation is accepted, not refused.
internal sealed class AuthorityMetadata : IConfigurationManager<OpenIdConnectConfiguration>
{
    private sealed record Snapshot(Task<OpenIdConnectConfiguration> Configuration, FrozenSet<string> KeyIds, DateTimeOffset RefreshAt);

    // Until the metadata first loads, a failed fetch is not retried for this long: requests get 503 meanwhile
    // instead of each one sending the authority another fetch while it is down.
    private static readonly TimeSpan FirstFetchRetryDelay = TimeSpan.FromSeconds(5);

    private readonly GatehouseBearerOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResourceServerMetrics _metrics;
    private readonly string _authority;
    private readonly object _gate = new();
    private volatile Snapshot? _current;
    private Task<Snapshot?>? _fetch;
    private DateTimeOffset _lastUnknownKeyRefresh = DateTimeOffset.MinValue;
    private DateTimeOffset _firstFetchRetryAt = DateTimeOffset.MinValue;

    public AuthorityMetadata(GatehouseBearerOptions options, HttpClient http, TimeProvider time, ILogger logger, ResourceServerMetrics metrics)
    {
        _options = options;
        _http = http;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _authority = options.NormalizedAuthority;
    }

    public Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        var current = _current;
        if (current is null) return FirstFetchAsync(cancel);
        if (_time.GetUtcNow() >= current.RefreshAt) StartFetch("scheduled", rateLimited: false);
        return current.Configuration;
    }

    public bool IsLoaded => _current is not null;

    public bool KnowsKey(string keyId) => _current?.KeyIds.Contains(keyId) == true;

    /// Waits for a refresh when <paramref name="keyId"/> is unknown and the rate limit allows one.
    public async Task RefreshForUnknownKeyAsync(string keyId, CancellationToken ct)
    {
        if (_current is null)
        {
            await FirstFetchAsync(ct);
            return;
        }
        if (KnowsKey(keyId)) return;
        var fetch = StartFetch("unknown_kid", rateLimited: true, keyId);
        if (fetch is not null) await fetch.WaitAsync(ct);
    }

    /// JwtBearer calls this when no key matched; our own check has usually refreshed already.
    public void RequestRefresh() => StartFetch("unknown_kid", rateLimited: true);

    /// Throws MetadataUnavailableException when the fetch fails, now or less than 5 s ago.
    private async Task<OpenIdConnectConfiguration> FirstFetchAsync(CancellationToken ct)
    {
        DateTimeOffset retryAt;
        lock (_gate) retryAt = _firstFetchRetryAt;
        var now = _time.GetUtcNow();
        if (now < retryAt) throw new MetadataUnavailableException(_authority, retryAt - now);
        var snapshot = await StartFetch("initial", rateLimited: false)!.WaitAsync(ct);
        return await (snapshot ?? _current ?? throw new MetadataUnavailableException(_authority, FirstFetchRetryDelay)).Configuration;
    }

    private Task<Snapshot?>? StartFetch(string reason, bool rateLimited, string? keyId = null)
    {
        lock (_gate)
        {
            if (_fetch is not null) return _fetch;
            var now = _time.GetUtcNow();
            if (rateLimited)
            {
                if (now - _lastUnknownKeyRefresh < _options.UnknownKeyRefreshInterval) return null;
                _lastUnknownKeyRefresh = now;
                ResourceServerLog.UnknownKeyRefresh(_logger, keyId ?? "?", _authority);
            }
            return _fetch = FetchAsync(reason);
        }
    }

    private async Task<Snapshot?> FetchAsync(string reason)
    {
        await Task.Yield(); // leave StartFetch's lock first
        try
        {
            var retriever = new HttpDocumentRetriever(_http) { RequireHttps = new Uri(_authority).Scheme == "https" };
            var configuration = await OpenIdConnectConfigurationRetriever.GetAsync(
                _authority + "/.well-known/oauth-authorization-server", retriever, CancellationToken.None);
            // RFC 8414 §3.3: the document must name the issuer we trust, or tokens of another issuer could pass.
            if (configuration.Issuer?.TrimEnd('/') != _authority)
                throw new InvalidOperationException($"The metadata names issuer '{configuration.Issuer}', not '{_authority}'.");
            var keyIds = configuration.SigningKeys.Select(k => k.KeyId).Where(k => k is not null).ToFrozenSet(StringComparer.Ordinal);
            var snapshot = new Snapshot(Task.FromResult(configuration), keyIds, _time.GetUtcNow() + _options.MetadataRefreshInterval);
            _current = snapshot;
            _metrics.KeySetRefresh(reason, success: true);
            ResourceServerLog.MetadataLoaded(_logger, _authority, keyIds.Count, string.Join(", ", keyIds));
            return snapshot;
        }
        catch (Exception e)
        {
            _metrics.KeySetRefresh(reason, success: false);
            var previous = _current;
            if (previous is null)
            {
                ResourceServerLog.MetadataFailed(_logger, _authority, e);
                lock (_gate) _firstFetchRetryAt = _time.GetUtcNow() + FirstFetchRetryDelay;
                return null;
            }
            // Keep the old keys, and try again in a minute rather than on every request.
            ResourceServerLog.MetadataFailedKeepingPrevious(_logger, _authority, e);
            _current = previous with { RefreshAt = _time.GetUtcNow() + TimeSpan.FromMinutes(1) };
            return previous;
        }
        finally
        {
            lock (_gate) _fetch = null;
        }
    }
}
