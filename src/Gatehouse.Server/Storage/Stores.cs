using Gatehouse.Server.Clients;

namespace Gatehouse.Server.Storage;

/// Clients and their secrets. Every write also appends to the change feed, in the same transaction.
internal interface IClientStore
{
    Task<IReadOnlyList<Client>> LoadAllAsync(CancellationToken ct);
    Task<Client?> FindAsync(string clientId, CancellationToken ct);
    Task CreateAsync(Client client, CancellationToken ct);
    Task<bool> DeleteAsync(string clientId, CancellationToken ct);
    Task RecordSecretUsageAsync(IReadOnlyCollection<SecretUsage> usages, CancellationToken ct);
}

internal readonly record struct SecretUsage(string ClientId, string SecretId, DateTimeOffset LastUsedAt);

/// Signing keys, private halves encrypted by the caller before they reach the store.
internal interface ISigningKeyStore
{
    Task<IReadOnlyList<StoredSigningKey>> LoadAllAsync(CancellationToken ct);
    Task AddAsync(StoredSigningKey key, CancellationToken ct);
    Task<bool> RevokeAsync(string kid, DateTimeOffset revokedAt, CancellationToken ct);
}

internal sealed record StoredSigningKey(
    string Kid, string Algorithm, byte[] EncryptedPrivateKey,
    DateTimeOffset CreatedAt, DateTimeOffset ActivatesAt, DateTimeOffset? RevokedAt);

/// Revoked access tokens by jti, kept until they would have expired anyway.
internal interface IRevocationStore
{
    Task AddAsync(RevokedToken token, CancellationToken ct);
    Task<RevokedToken?> FindAsync(string jti, CancellationToken ct);
    Task<IReadOnlyList<RevokedToken>> LoadUnexpiredAsync(DateTimeOffset now, CancellationToken ct);
    Task<int> PruneExpiredAsync(DateTimeOffset now, CancellationToken ct);
}

internal sealed record RevokedToken(string Jti, string ClientId, DateTimeOffset ExpiresAt, DateTimeOffset RevokedAt);

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
