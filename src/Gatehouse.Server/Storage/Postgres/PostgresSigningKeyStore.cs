using Npgsql;
using static Gatehouse.Server.Storage.Postgres.PostgresValues;

namespace Gatehouse.Server.Storage.Postgres;

internal sealed class PostgresSigningKeyStore(PostgresDatabase database, TimeProvider clock) : ISigningKeyStore
{
    public async Task<IReadOnlyList<StoredSigningKey>> LoadAllAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection,
            "SELECT kid, alg, private_key, created_at, activates_at, revoked_at FROM signing_keys ORDER BY activates_at, created_at");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var keys = new List<StoredSigningKey>();
        while (await reader.ReadAsync(ct))
        {
            keys.Add(new StoredSigningKey(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2),
                GetInstant(reader, 3), GetInstant(reader, 4), GetInstantOrNull(reader, 5)));
        }
        return keys;
    }

    public Task<bool> AddAsync(StoredSigningKey key, ActivationWindow? unlessActivating, AuditEntry audit, CancellationToken ct) =>
        InTransactionAsync(database, async (connection, transaction) =>
        {
            // One key-adding transaction per algorithm at a time, on every node: the check below then sees any
            // key another node added for this algorithm, conditionally or not.
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({PostgresLocks.SigningKeys}, hashtext(@alg))", ct,
                ("alg", key.Algorithm));
            if (unlessActivating is { } window)
            {
                await using var existing = Command(connection,
                    "SELECT COUNT(*) FROM signing_keys WHERE alg = @alg AND revoked_at IS NULL AND activates_at BETWEEN @from AND @until",
                    transaction, ("alg", key.Algorithm), ("from", window.From), ("until", window.Until));
                if (Convert.ToInt64(await existing.ExecuteScalarAsync(ct)) > 0) return (false, false);
            }
            await ExecuteAsync(connection, transaction,
                "INSERT INTO signing_keys(kid, alg, private_key, created_at, activates_at, revoked_at) " +
                "VALUES (@kid, @alg, @key, @created, @activates, @revoked)", ct,
                ("kid", key.Kid), ("alg", key.Algorithm), ("key", key.EncryptedPrivateKey),
                ("created", key.CreatedAt), ("activates", key.ActivatesAt), ("revoked", key.RevokedAt));
            await AppendAuditAsync(connection, transaction, audit, ct);
            await AppendChangeAsync(connection, transaction, Change.Key, key.Kid, clock.GetUtcNow(), ct);
            return (true, true);
        }, ct);

    public Task<bool> RevokeAsync(string kid, DateTimeOffset revokedAt, AuditEntry audit, CancellationToken ct) =>
        InTransactionAsync(database, async (connection, transaction) =>
        {
            var revoked = await ExecuteAsync(connection, transaction,
                "UPDATE signing_keys SET revoked_at = @at WHERE kid = @kid AND revoked_at IS NULL", ct,
                ("kid", kid), ("at", revokedAt));
            if (revoked == 0) return (false, false);
            await AppendAuditAsync(connection, transaction, audit, ct);
            await AppendChangeAsync(connection, transaction, Change.Key, kid, clock.GetUtcNow(), ct);
            return (true, true);
        }, ct);
}
