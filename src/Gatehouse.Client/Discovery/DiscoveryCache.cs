using System.Net;
using System.Text.Json;
using Gatehouse.Client.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Client.Discovery;

/// Seed 000: fetch the metadata on start-up, cache it, refresh it periodically (daily by default) and
/// whenever a token request suggests it went stale. A failed refresh keeps the last good document.
internal sealed class DiscoveryCache(GatehouseClientOptions options, Func<HttpClient> http, TimeProvider time,
    ClientMetrics metrics, ILogger logger)
{
    private static readonly TimeSpan RetryAfterFailedRefresh = TimeSpan.FromSeconds(30);
    private static readonly string[] WellKnownPaths = ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"];

    private readonly object _gate = new();
    private readonly string _authority = options.NormalizedAuthority;
    private AuthorizationServerMetadata? _current;
    private DateTimeOffset _refreshAt;
    private Task<AuthorizationServerMetadata>? _fetch;

    public Task<AuthorizationServerMetadata> GetAsync(CancellationToken ct)
    {
        var current = _current;
        if (current is not null && time.GetUtcNow() < _refreshAt) return Task.FromResult(current);
        Task<AuthorizationServerMetadata> fetch;
        lock (_gate) fetch = _fetch ??= FetchAsync();
        return fetch.WaitAsync(ct);
    }

    /// The next GetAsync fetches again (and falls back to this document if that fails).
    public void MarkStale()
    {
        lock (_gate) _refreshAt = DateTimeOffset.MinValue;
    }

    private async Task<AuthorizationServerMetadata> FetchAsync()
    {
        await Task.Yield(); // leave the caller's lock before any work
        try
        {
            var (metadata, failure) = await TryFetchAsync();
            if (metadata is not null)
            {
                metrics.DiscoveryFetch("success");
                _current = metadata;
                _refreshAt = time.GetUtcNow() + options.DiscoveryRefreshInterval;
                ClientLog.DiscoveryFetched(logger, _authority, metadata.TokenEndpoint);
                return metadata;
            }
            metrics.DiscoveryFetch("failure");
            if (_current is { } previous)
            {
                _refreshAt = time.GetUtcNow() + RetryAfterFailedRefresh;
                ClientLog.DiscoveryFailedKeepingPrevious(logger, _authority, failure!);
                return previous;
            }
            throw new GatehouseTokenException("discovery_failed",
                $"Could not read the discovery document of {_authority}: {failure}");
        }
        finally
        {
            lock (_gate) _fetch = null;
        }
    }

    private async Task<(AuthorizationServerMetadata?, string?)> TryFetchAsync()
    {
        try
        {
            foreach (var path in WellKnownPaths)
            {
                using var response = await http().GetAsync(_authority + path);
                if (response.StatusCode == HttpStatusCode.NotFound) continue;
                if (!response.IsSuccessStatusCode) return (null, $"GET {path} answered {(int)response.StatusCode}");
                using var document = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
                return Parse(document.RootElement);
            }
            return (null, "no /.well-known/oauth-authorization-server or /.well-known/openid-configuration document");
        }
        catch (HttpRequestException e)
        {
            return (null, e.Message);
        }
        catch (TaskCanceledException)
        {
            return (null, "timed out");
        }
        catch (JsonException)
        {
            return (null, "the document is not JSON");
        }
    }

    private (AuthorizationServerMetadata?, string?) Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) return (null, "the document is not a JSON object");
        var issuer = root.TryGetProperty("issuer", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString()! : null;
        // RFC 8414 §3.3: the issuer in the document must be the one we asked, or an attacker's metadata could be swapped in.
        if (issuer?.TrimEnd('/') != _authority) return (null, $"the document names issuer '{issuer}', not '{_authority}'");
        if (!root.TryGetProperty("token_endpoint", out var t) || t.ValueKind != JsonValueKind.String
            || !Uri.TryCreate(t.GetString(), UriKind.Absolute, out var tokenEndpoint))
            return (null, "the document has no absolute token_endpoint");
        if (tokenEndpoint.Scheme != "https" && !(tokenEndpoint.Scheme == "http" && tokenEndpoint.IsLoopback))
            return (null, "the token_endpoint is not https");
        return (new AuthorizationServerMetadata(issuer, tokenEndpoint), null);
    }
}
