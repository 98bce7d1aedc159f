namespace Gatehouse.ResourceServer;

/// <summary>
/// How an API accepts Gatehouse access tokens. Only <see cref="Authority"/> and <see cref="Audience"/> are
/// required; signing keys, issuer and endpoints come from the authority's discovery document.
/// </summary>
public sealed class GatehouseBearerOptions
{
    /// <summary>The authorization server's issuer URL. Plain <c>http</c> is accepted only for loopback hosts.</summary>
    public string Authority { get; set; } = "";

    /// <summary>This API's audience, e.g. <c>partner/v1</c>: a token minted for another API is refused.</summary>
    public string Audience { get; set; } = "";

    /// <summary>
    /// The API's own client id. With <see cref="ClientSecret"/> it authenticates the revocation feed
    /// (and introspection); without them revoked tokens stay accepted until they expire.
    /// </summary>
    public string? ClientId { get; set; }

    /// <summary>The API's own client secret. Never logged.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Leeway for <c>exp</c> and <c>nbf</c> between this machine's clock and the server's.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the discovery document and key set are re-read when nothing prompts it.</summary>
    public TimeSpan MetadataRefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The least time between two key-set refreshes caused by a token with an unknown <c>kid</c>, so forged
    /// tokens cannot turn the API into a load generator against the authority.
    /// </summary>
    public TimeSpan UnknownKeyRefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether to follow <c>GET /oauth/revocations</c> (needs <see cref="ClientId"/> and <see cref="ClientSecret"/>).</summary>
    public bool FollowRevocations { get; set; } = true;

    /// <summary>How often the revocation feed is polled; a revocation takes effect within about this long.</summary>
    public TimeSpan RevocationPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Validate by asking the authority's introspection endpoint (RFC 7662) instead of checking the JWT locally:
    /// for opaque tokens, or when every answer must reflect the server's state. Needs the API's own credentials.
    /// </summary>
    public bool UseIntrospection { get; set; }

    /// <summary>How long an introspection answer is reused (never past the token's <c>exp</c>).</summary>
    public TimeSpan IntrospectionCacheDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// This API's resource identifier for RFC 9728 (<c>https://api.example.com</c>). Null: the origin of each
    /// request. A path, if any, is appended to the metadata URL as RFC 9728 §3.1 says.
    /// </summary>
    public string? Resource { get; set; }

    /// <summary>Scopes to list in the protected-resource metadata besides those the endpoints require.</summary>
    public IList<string> ScopesSupported { get; set; } = new List<string>();

    /// <summary>A handler for requests to the authority (discovery, keys, feed, introspection), e.g. for a proxy.</summary>
    public HttpMessageHandler? BackchannelHttpHandler { get; set; }

    internal string NormalizedAuthority => Authority.Trim().TrimEnd('/');

    internal bool HasCredentials => !string.IsNullOrEmpty(ClientId) && !string.IsNullOrEmpty(ClientSecret);

    internal void Validate(string scheme)
    {
        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
            throw new InvalidOperationException($"GatehouseBearerOptions.Authority for scheme '{scheme}' must be an absolute http(s) URL.");
        if (authority.Scheme == "http" && !authority.IsLoopback)
            throw new InvalidOperationException($"GatehouseBearerOptions.Authority for scheme '{scheme}' must use https unless it is a loopback address.");
        if (string.IsNullOrWhiteSpace(Audience))
            throw new InvalidOperationException($"GatehouseBearerOptions.Audience for scheme '{scheme}' is required (e.g. \"partner/v1\").");
        if (UseIntrospection && !HasCredentials)
            throw new InvalidOperationException($"GatehouseBearerOptions.UseIntrospection for scheme '{scheme}' needs ClientId and ClientSecret.");
    }
}
