namespace Gatehouse.Server.Clients;

/// The registration fields an operator sends (RFC 7591 §2 names). On update (PATCH), a null field is
/// left as it is; `ClearRateLimit` returns the client to the server's default limit.
internal sealed record ClientRegistration(
    string? Name = null,
    string? Scope = null,
    IReadOnlyList<string>? Audiences = null,
    IReadOnlyList<string>? GrantTypes = null,
    IReadOnlyList<string>? RedirectUris = null,
    string? TokenEndpointAuthMethod = null,
    int? RateLimitPerSecond = null,
    bool ClearRateLimit = false,
    IReadOnlyList<string>? PostLogoutRedirectUris = null,
    bool? RequireConsent = null,
    string? IdTokenSignedResponseAlg = null,
    string? Team = null,
    bool ClearTeam = false,
    bool? ResourceServer = null);

/// A new client and its first secret; the secret's value exists only here, to be shown once.
internal sealed record CreatedClient(Client Client, string? Secret);

/// A new secret of an existing client, its value shown once.
internal sealed record CreatedSecret(ClientSecret Secret, string Value);
