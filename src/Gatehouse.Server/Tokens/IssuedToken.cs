namespace Gatehouse.Server.Tokens;

/// What the token endpoint returns. Jti and ExpiresAt let a grant record the access token it issued,
/// so revoking the grant revokes the token too.
internal sealed record IssuedToken(string AccessToken, int ExpiresIn, string Scope)
{
    public string Jti { get; init; } = "";
    public DateTimeOffset ExpiresAt { get; init; }
    public string? IdToken { get; init; }

    /// The new refresh token's value (shown once) and its hash (stored).
    public string? RefreshToken { get; init; }
    public byte[]? RefreshTokenHash { get; init; }
}
