namespace Gatehouse.Server.Storage.Relational;

internal sealed class RelationalSigningKeyStore(RelationalDatabase database, TimeProvider clock) : ISigningKeyStore
{
    public async Task<IReadOnlyList<StoredSigningKey>> LoadAllAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = database.Command(connection,
            "SELECT kid, alg, private_key, created_at, activates_at, revoked_at FROM signing_keys ORDER BY activates_at, created_at");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var keys = new List<StoredSigningKey>();
        while (await reader.ReadAsync(ct))
        {
            keys.Add(new StoredSigningKey(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2),
                database.ReadTime(reader, 3), database.ReadTime(reader, 4), database.ReadTimeOrNull(reader, 5)));
        }
        return keys;
    }

    public Task<bool> AddAsync(StoredSigningKey key, ActivationWindow? unlessActivating, AuditEntry audit, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            // Always, not only with a window: an unconditional add on one node must not race a conditional one on another.
            await database.LockSigningKeysAsync(connection, transaction, key.Algorithm, ct);
            if (unlessActivating is { } window)
            {
                var existing = Convert.ToInt64(await database.ScalarAsync(connection, transaction,
                    "SELECT COUNT(*) FROM signing_keys WHERE alg = @alg AND revoked_at IS NULL AND activates_at BETWEEN @from AND @until", ct,
                    ("alg", key.Algorithm), ("from", window.From), ("until", window.Until)));
                if (existing > 0) return (false, false);
            }
            await database.ExecuteAsync(connection, transaction,
                "INSERT INTO signing_keys(kid, alg, private_key, created_at, activates_at, revoked_at) " +
                "VALUES (@kid, @alg, @key, @created, @activates, @revoked)", ct,
                ("kid", key.Kid), ("alg", key.Algorithm), ("key", key.EncryptedPrivateKey),
                ("created", key.CreatedAt), ("activates", key.ActivatesAt), ("revoked", key.RevokedAt));
            await database.AppendAuditAsync(connection, transaction, audit, ct);
            await database.AppendChangeAsync(connection, transaction, Change.Key, key.Kid, clock.GetUtcNow(), ct);
            return (true, true);
        }, ct);

    public Task<bool> RevokeAsync(string kid, DateTimeOffset revokedAt, AuditEntry audit, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            var revoked = await database.ExecuteAsync(connection, transaction,
                "UPDATE signing_keys SET revoked_at = @at WHERE kid = @kid AND revoked_at IS NULL", ct, ("kid", kid), ("at", revokedAt));
            if (revoked == 0) return (false, false);
            await database.AppendAuditAsync(connection, transaction, audit, ct);
            await database.AppendChangeAsync(connection, transaction, Change.Key, kid, clock.GetUtcNow(), ct);
            return (true, true);
        }, ct);
}
