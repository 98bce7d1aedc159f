namespace Gatehouse.Server.Sessions;

/// A sign-in session (SPEC 8): server-side, so any node honours it. The browser holds only a random
/// handle; the store holds its hash. `Sid` is the public session id ID tokens carry (OIDC Core §2, `sid`).
internal sealed record Session(
    byte[] HandleHash,
    string Sid,
    string Sub,
    DateTimeOffset AuthTime,
    string Amr,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? EndedAt)
{
    public bool IsLive(DateTimeOffset now) => EndedAt is null && ExpiresAt > now;
}
