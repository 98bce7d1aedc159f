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
    /// The scopes as one space-separated string, precomputed for the default-scope token response.
    public string ScopeString { get; } = string.Join(' ', Scopes);

    public IEnumerable<ClientSecret> LiveSecrets => Secrets.Where(s => s.RevokedAt is null);

    public bool AllowsGrant(string grantType) => GrantTypes.Contains(grantType);
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
}
