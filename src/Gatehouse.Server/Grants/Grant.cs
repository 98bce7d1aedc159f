namespace Gatehouse.Server.Grants;

/// One person's authorization of one client (SPEC 8): made when they sign in and consent, it is what an
/// authorization code and every refresh token rotated from it belong to. Revoking it revokes all of them,
/// and every access token it issued. docs/sign-in-lifecycles.md follows one through its life.
internal sealed record Grant(
    string GrantId,
    string ClientId,
    string Sub,
    string Scope,
    string Audience,
    string? Sid,
    DateTimeOffset AuthTime,
    string Amr,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt)
{
    public bool IsLive(DateTimeOffset now) => RevokedAt is null && ExpiresAt > now;
}

/// A single-use code (RFC 6749 §4.1.2), bound to its client, redirect URI, PKCE challenge and nonce; the
/// grant carries the rest (person, scopes, session).
internal sealed record AuthorizationCode(
    byte[] CodeHash,
    string GrantId,
    string ClientId,
    string RedirectUri,
    string CodeChallenge,
    string? Nonce,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? ConsumedAt);

/// One refresh token of a grant (RFC 9700 §4.14.2): rotated on every use, the used one dead.
internal sealed record RefreshToken(
    byte[] TokenHash,
    string GrantId,
    string ClientId,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? UsedAt);

/// What a redemption (of a code or a refresh token) writes with it, atomically: the access token it
/// issued (so revoking the grant revokes it) and the next refresh token, if any.
internal sealed record GrantIssue(string Jti, DateTimeOffset AccessTokenExpiresAt, RefreshToken? NextRefreshToken);
