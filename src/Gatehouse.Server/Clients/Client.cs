namespace Gatehouse.Server.Clients;

/// A registered client as the hot path sees it: immutable, replaced whole when it changes.
internal sealed record Client(
    string ClientId,
    string Name,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> Audiences,
    IReadOnlyList<string> GrantTypes,
    int? RateLimitPerSecond,
    DateTimeOffset CreatedAt,
    IReadOnlyList<ClientSecret> Secrets)
{
    public IReadOnlyList<string> RedirectUris { get; init; } = [];

    public string TokenEndpointAuthMethod { get; init; } = ClientAuthMethods.SecretBasic;

    /// Named at registration, so enforced at the token endpoint. A client registered without naming one
    /// shows RFC 7591's default (client_secret_basic) and may also send its secret in the body, as seed
    /// 001's curl does while seed 002's uses Basic.
    public bool AuthMethodExplicit { get; init; }

    public bool IsPublic => TokenEndpointAuthMethod == ClientAuthMethods.None;

    /// OpenID Connect RP-Initiated Logout 1.0 §3: exact strings.
    public IReadOnlyList<string> PostLogoutRedirectUris { get; init; } = [];

    /// SPEC 8: ask the person before sharing their claims (default), unless the operator says this client is trusted.
    public bool RequireConsent { get; init; } = true;

    /// OIDC Registration's id_token_signed_response_alg: ES256 by default, RS256 for relying parties that need it.
    public string IdTokenSignedResponseAlg { get; init; } = "ES256";

    /// SPEC 9: the team whose developers manage this client in the dashboard.
    public string? Team { get; init; }

    /// SPEC 7: may read the revocation feed (a resource server's own client).
    public bool ResourceServer { get; init; }

    /// Set by "revoke all tokens": every token of this client minted before this instant
    /// (microseconds since the Unix epoch, compared with the token's iat_us) is inactive.
    public long? TokensRevokedBeforeMicroseconds { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    /// The scopes as one space-separated string, computed once per scope list for the default-scope
    /// token response (a `with` expression that changes Scopes gets a fresh one).
    public string ScopeString
    {
        get
        {
            var cached = _scopeString;
            if (cached is not null && ReferenceEquals(cached.Source, Scopes)) return cached.Text;
            cached = new JoinedScopes(Scopes, string.Join(' ', Scopes));
            _scopeString = cached;
            return cached.Text;
        }
    }

    private JoinedScopes? _scopeString;

    private sealed record JoinedScopes(IReadOnlyList<string> Source, string Text);

    public IEnumerable<ClientSecret> LiveSecrets => Secrets.Where(s => s.RevokedAt is null);

    public bool AllowsGrant(string grantType) => GrantTypes.Contains(grantType);

    public bool IsRevokedToken(long issuedAtMicroseconds) => issuedAtMicroseconds < TokensRevokedBeforeMicroseconds;
}

/// One secret of a client. Only its keyed hash is ever stored or held in memory.
internal sealed record ClientSecret(
    string SecretId,
    byte[] Hash,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt);

internal static class GrantTypes
{
    public const string ClientCredentials = "client_credentials";
    public const string AuthorizationCode = "authorization_code";
    public const string RefreshToken = "refresh_token";
    public static readonly string[] All = [ClientCredentials, AuthorizationCode, RefreshToken];
}

/// RFC 7591 §2 token_endpoint_auth_method values.
internal static class ClientAuthMethods
{
    public const string SecretBasic = "client_secret_basic";
    public const string SecretPost = "client_secret_post";
    public const string None = "none";
    public static readonly string[] All = [SecretBasic, SecretPost, None];
}
