using Microsoft.Extensions.Caching.Distributed;

namespace Gatehouse.Client;

/// <summary>
/// Settings for a <see cref="GatehouseClient"/>: who the client is and which token it asks for.
/// Every endpoint is read from the authority's discovery document; none is configured here.
/// </summary>
public sealed class GatehouseClientOptions
{
    /// <summary>
    /// The authorization server's issuer URL, e.g. <c>https://sso.example.com</c>. Its RFC 8414
    /// metadata must name this same issuer. Plain <c>http</c> is accepted only for loopback hosts.
    /// </summary>
    public string Authority { get; set; } = "";

    /// <summary>The client identifier (<c>cc_client_…</c>).</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The client secret. Sent only to the token endpoint; never logged.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>Scopes to request; empty asks for the client's full granted set. Order and duplicates do not matter.</summary>
    public IList<string> Scopes { get; set; } = new List<string>();

    /// <summary>The target API (<c>audience</c> parameter), e.g. <c>partner/v1</c>; null lets the server choose its default.</summary>
    public string? Audience { get; set; }

    /// <summary>How long the discovery document is trusted before it is fetched again. A failed token request refreshes it sooner.</summary>
    public TimeSpan DiscoveryRefreshInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The longest <c>Retry-After</c> the client waits out on a caller's behalf, from the token endpoint or an API.
    /// A longer one fails the call at once (token endpoint) or hands the response back (API).
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts per token request when the server answers 429, 503, another 5xx, or cannot be reached.</summary>
    public int MaxTokenRequestAttempts { get; set; } = 3;

    /// <summary>How many times <see cref="GatehouseTokenHandler"/> repeats an API request answered 429 or 503 with a <c>Retry-After</c>.</summary>
    public int MaxApiBackoffRetries { get; set; } = 2;

    /// <summary>
    /// A cache shared by several instances (Redis, SQL Server…). Tokens are stored encrypted with
    /// AES-GCM under a key derived from <see cref="ClientSecret"/>, so the cache never holds a usable token.
    /// Null keeps tokens in this process's memory only.
    /// </summary>
    public IDistributedCache? DistributedCache { get; set; }

    internal GatehouseClientOptions Validated()
    {
        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
            throw new ArgumentException("GatehouseClientOptions.Authority must be an absolute http(s) URL.", nameof(Authority));
        if (authority.Scheme == "http" && !authority.IsLoopback)
            throw new ArgumentException("GatehouseClientOptions.Authority must use https unless it is a loopback address.", nameof(Authority));
        if (string.IsNullOrWhiteSpace(ClientId))
            throw new ArgumentException("GatehouseClientOptions.ClientId is required.", nameof(ClientId));
        if (string.IsNullOrEmpty(ClientSecret))
            throw new ArgumentException("GatehouseClientOptions.ClientSecret is required.", nameof(ClientSecret));
        if (MaxTokenRequestAttempts < 1)
            throw new ArgumentException("GatehouseClientOptions.MaxTokenRequestAttempts must be at least 1.", nameof(MaxTokenRequestAttempts));
        if (DiscoveryRefreshInterval <= TimeSpan.Zero)
            throw new ArgumentException("GatehouseClientOptions.DiscoveryRefreshInterval must be positive.", nameof(DiscoveryRefreshInterval));
        return this;
    }

    internal string NormalizedAuthority => Authority.Trim().TrimEnd('/');

    /// The scope set as the cache key and the token request see it: distinct, ordinal-sorted.
    internal string ScopeSet => string.Join(' ', Scopes.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim())
        .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
}
