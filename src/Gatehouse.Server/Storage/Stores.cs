using Gatehouse.Server.Clients;

namespace Gatehouse.Server.Storage;

/// Clients and their secrets. Every write appends to the change feed and, for management actions,
/// the audit log, in the same transaction: the action, its notification and its record stand or fall together.
internal interface IClientStore
{
    Task<IReadOnlyList<Client>> LoadAllAsync(CancellationToken ct);
    Task<Client?> FindAsync(string clientId, CancellationToken ct);
    Task CreateAsync(Client client, AuditEntry audit, CancellationToken ct);

    /// Replaces the registration fields (not secrets, not the revocation cut-off). False when the client is gone.
    Task<bool> UpdateAsync(Client client, AuditEntry audit, CancellationToken ct);

    /// Deletes the client and publishes a client-wide cut-off on the revocation feed, so resource servers
    /// that only follow the feed stop accepting its tokens too.
    Task<bool> DeleteAsync(string clientId, FeedCutOff cutOff, AuditEntry audit, CancellationToken ct);

    /// Adds a secret unless the client already has `maxLive` unrevoked ones; the check and the insert are atomic.
    Task<AddSecretResult> AddSecretAsync(string clientId, ClientSecret secret, int maxLive, AuditEntry audit, CancellationToken ct);
    Task<bool> RevokeSecretAsync(string clientId, string secretId, DateTimeOffset revokedAt, AuditEntry audit, CancellationToken ct);

    /// Sets the client's cut-off and publishes it on the revocation feed until `feedExpiresAt`.
    Task<bool> RevokeAllTokensAsync(string clientId, long revokedBeforeMicroseconds, DateTimeOffset feedExpiresAt,
        AuditEntry audit, CancellationToken ct);

    Task RecordSecretUsageAsync(IReadOnlyCollection<SecretUsage> usages, CancellationToken ct);
}

/// A client-wide revocation as the feed publishes it: tokens minted before the instant, until the feed entry expires.
internal readonly record struct FeedCutOff(long RevokedBeforeMicroseconds, DateTimeOffset FeedExpiresAt);

internal enum AddSecretResult { Added, ClientNotFound, TooManyLiveSecrets }

internal readonly record struct SecretUsage(string ClientId, string SecretId, DateTimeOffset LastUsedAt);

/// Signing keys, private halves encrypted by the caller before they reach the store.
internal interface ISigningKeyStore
{
    Task<IReadOnlyList<StoredSigningKey>> LoadAllAsync(CancellationToken ct);
    /// Adds the key. With `unlessActivating`, adds it only if no unrevoked key of the same algorithm
    /// activates within that window — check and insert atomic, so of several nodes deciding at once
    /// that a key is needed, exactly one creates it. False when skipped.
    Task<bool> AddAsync(StoredSigningKey key, ActivationWindow? unlessActivating, AuditEntry audit, CancellationToken ct);
    Task<bool> RevokeAsync(string kid, DateTimeOffset revokedAt, AuditEntry audit, CancellationToken ct);
}

internal readonly record struct ActivationWindow(DateTimeOffset From, DateTimeOffset Until);

internal sealed record StoredSigningKey(
    string Kid, string Algorithm, byte[] EncryptedPrivateKey,
    DateTimeOffset CreatedAt, DateTimeOffset ActivatesAt, DateTimeOffset? RevokedAt);

/// Revoked access tokens by jti, and the revocation feed resource servers follow.
internal interface IRevocationStore
{
    Task AddAsync(RevokedToken token, CancellationToken ct);
    Task<RevokedToken?> FindAsync(string jti, CancellationToken ct);
    Task<IReadOnlyList<RevokedToken>> LoadUnexpiredAsync(DateTimeOffset now, CancellationToken ct);

    /// Entries after `since` that still matter at `now`, oldest first, at most `limit`.
    Task<RevocationFeedPage> ReadFeedAsync(long since, DateTimeOffset now, int limit, CancellationToken ct);
    Task<int> PruneExpiredAsync(DateTimeOffset now, CancellationToken ct);
}

internal sealed record RevokedToken(string Jti, string ClientId, DateTimeOffset ExpiresAt, DateTimeOffset RevokedAt);

/// One feed entry: a single token (Jti set) or a client-wide cut-off (RevokedBeforeMicroseconds set).
internal sealed record RevocationFeedEntry(long Sequence, string ClientId, string? Jti, DateTimeOffset ExpiresAt, long? RevokedBeforeMicroseconds);

internal sealed record RevocationFeedPage(IReadOnlyList<RevocationFeedEntry> Entries, long Cursor, bool HasMore);

/// The append-only record of management actions (who, what, when, from where; never a secret).
internal interface IAuditLog
{
    Task AppendAsync(AuditEntry entry, CancellationToken ct);

    /// Entries with id > `after`, oldest first.
    Task<IReadOnlyList<AuditRecord>> ReadAsync(long after, int limit, CancellationToken ct);
}

internal sealed record AuditEntry(DateTimeOffset At, string Actor, string Action, string Target, string? SourceAddress, string? Details = null);

internal sealed record AuditRecord(long Id, AuditEntry Entry);

/// What changed, in order, so every process (server nodes, the CLI) can refresh its in-memory view.
internal interface IChangeFeed
{
    Task<long> LatestAsync(CancellationToken ct);

    /// Changes after `sequence`; null when the feed no longer reaches back that far (reload everything).
    Task<IReadOnlyList<Change>?> ReadSinceAsync(long sequence, CancellationToken ct);

    Task PruneAsync(DateTimeOffset olderThan, CancellationToken ct);

    /// A cheap round trip for /readyz.
    Task PingAsync(CancellationToken ct);
}

internal sealed record Change(long Sequence, string Kind, string Id)
{
    public const string Client = "client";
    public const string Key = "key";
    public const string Revocation = "revocation";
}

/// People (SPEC 8). Every write appends to the audit log in the same transaction.
internal interface IUserStore
{
    Task<Users.User?> FindAsync(string sub, CancellationToken ct);

    /// Case-insensitive (User.EmailKey).
    Task<Users.User?> FindByEmailAsync(string email, CancellationToken ct);

    /// Every user, oldest first.
    Task<IReadOnlyList<Users.User>> ListAsync(CancellationToken ct);

    /// Inserts the user. EmailTaken when another user has the email: the UNIQUE constraint on email_key decides,
    /// so of two creates racing for one address exactly one wins. SubTaken when the sub is in use or retired.
    Task<UserWrite> CreateAsync(Users.User user, AuditEntry audit, CancellationToken ct);

    /// Applies `change` to the current user and stores the result, with the row locked from read to write so no
    /// concurrent change is lost (a rename cannot undo a concurrent disable). Returns the user as stored.
    Task<(UserWrite Result, Users.User? User)> UpdateAsync(string sub, Func<Users.User, Users.User> change, AuditEntry audit,
        CancellationToken ct);

    /// Deletes the user and retires the sub, so it is never given to anyone else. False when there is no such user.
    Task<bool> DeleteAsync(string sub, AuditEntry audit, CancellationToken ct);

    /// Replaces the password hash only if it is still `currentHash`: a rehash after sign-in (same password,
    /// newer format) never overwrites a password changed meanwhile. Not a management action: no audit entry.
    Task<bool> ReplacePasswordHashAsync(string sub, string currentHash, string newHash, CancellationToken ct);
}

internal enum UserWrite { Done, NotFound, EmailTaken, SubTaken }

/// Sign-in grants with their codes, refresh tokens and consents (SPEC 8). A redemption is one conditional
/// UPDATE: of two redeeming the same code or refresh token, on one node or many, exactly one wins.
internal interface IGrantStore
{
    Task CreateWithCodeAsync(Grants.Grant grant, Grants.AuthorizationCode code, CancellationToken ct);

    Task<(Grants.AuthorizationCode Code, Grants.Grant Grant)?> FindCodeAsync(byte[] codeHash, CancellationToken ct);

    /// Consumes the code and records what it issued. False when it was consumed meanwhile (the lost race).
    Task<bool> RedeemCodeAsync(byte[] codeHash, DateTimeOffset now, Grants.GrantIssue issue, CancellationToken ct);

    Task<(Grants.RefreshToken Token, Grants.Grant Grant)?> FindRefreshTokenAsync(byte[] tokenHash, CancellationToken ct);

    /// Marks the refresh token used and records what its use issued. False when it was used meanwhile.
    Task<bool> RotateRefreshTokenAsync(byte[] tokenHash, DateTimeOffset now, Grants.GrantIssue issue, CancellationToken ct);

    /// Revokes the grants (each refresh token with them) and publishes every unexpired access token they
    /// issued on the revocation feed. `revocationFor` turns an access token's expiry into its revocation record.
    Task<IReadOnlyList<RevokedToken>> RevokeGrantsAsync(GrantSelector which, DateTimeOffset now,
        Func<string, DateTimeOffset, RevokedToken> revocationFor, CancellationToken ct);

    Task<IReadOnlyList<string>> FindConsentAsync(string sub, string clientId, CancellationToken ct);
    Task SaveConsentAsync(string sub, string clientId, IReadOnlyList<string> scopes, DateTimeOffset at, CancellationToken ct);

    Task PruneExpiredAsync(DateTimeOffset now, CancellationToken ct);
}

/// Which grants to revoke: one grant, every grant of a person, or every grant of a client.
internal readonly record struct GrantSelector(string Column, string Value)
{
    public static GrantSelector Grant(string grantId) => new("grant_id", grantId);
    public static GrantSelector OfUser(string sub) => new("sub", sub);
    public static GrantSelector OfClient(string clientId) => new("client_id", clientId);
}

/// Sign-in sessions (SPEC 8), by the hash of the handle in the browser's cookie.
internal interface ISessionStore
{
    Task CreateAsync(Sessions.Session session, CancellationToken ct);
    Task<Sessions.Session?> FindAsync(byte[] handleHash, CancellationToken ct);
    Task EndAsync(byte[] handleHash, DateTimeOffset at, CancellationToken ct);
    Task EndAllOfUserAsync(string sub, DateTimeOffset at, CancellationToken ct);
    Task PruneAsync(DateTimeOffset now, CancellationToken ct);
}

/// Sign-in attempts by throttle key (an account or an address), shared by every node. An attempt is recorded
/// before its password is checked, so parallel guesses count at once; one that succeeds is forgotten.
internal interface ISignInFailureStore
{
    Task<int> CountSinceAsync(string key, DateTimeOffset since, CancellationToken ct);
    Task RecordAsync(string attemptId, IReadOnlyList<string> keys, DateTimeOffset at, CancellationToken ct);
    Task ForgetAsync(string attemptId, CancellationToken ct);
    Task PruneAsync(DateTimeOffset olderThan, CancellationToken ct);
}

/// The dashboard's token usage counts (SPEC 9), per client and Unix minute; writes add to what is there.
internal interface ITokenUsageStore
{
    Task AddAsync(IReadOnlyCollection<Dashboard.TokenUsageMinute> minutes, CancellationToken ct);
    Task<IReadOnlyList<Dashboard.TokenUsageMinute>> ReadAsync(string clientId, long fromMinute, CancellationToken ct);
    Task PruneAsync(long beforeMinute, CancellationToken ct);
}
