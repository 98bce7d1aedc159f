using Microsoft.Data.Sqlite;
using static Gatehouse.Server.Storage.Sqlite.SqliteValues;

namespace Gatehouse.Server.Storage.Sqlite;

internal sealed class SqliteSigningKeyStore(SqliteDatabase database, TimeProvider clock) : ISigningKeyStore
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
            keys.Add(new StoredSigningKey(reader.GetString(0), reader.GetString(1), (byte[])reader[2],
                FromUnixMs(reader.GetInt64(3)), FromUnixMs(reader.GetInt64(4)), FromUnixMsOrNull(reader, 5)));
        }
        return keys;
    }

    public async Task AddAsync(StoredSigningKey key, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await using (var insert = Command(connection,
            "INSERT INTO signing_keys(kid, alg, private_key, created_at, activates_at, revoked_at) " +
            "VALUES ($kid, $alg, $key, $created, $activates, $revoked)", transaction,
            ("$kid", key.Kid), ("$alg", key.Algorithm), ("$key", key.EncryptedPrivateKey),
            ("$created", ToUnixMs(key.CreatedAt)), ("$activates", ToUnixMs(key.ActivatesAt)),
            ("$revoked", ToUnixMsOrNull(key.RevokedAt))))
        {
            await insert.ExecuteNonQueryAsync(ct);
        }
        await AppendChangeAsync(connection, transaction, Change.Key, key.Kid, clock.GetUtcNow(), ct);
        await transaction.CommitAsync(ct);
    }

    public async Task<bool> RevokeAsync(string kid, DateTimeOffset revokedAt, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await using var update = Command(connection,
            "UPDATE signing_keys SET revoked_at = $at WHERE kid = $kid AND revoked_at IS NULL", transaction,
            ("$kid", kid), ("$at", ToUnixMs(revokedAt)));
        if (await update.ExecuteNonQueryAsync(ct) == 0) return false;
        await AppendChangeAsync(connection, transaction, Change.Key, kid, clock.GetUtcNow(), ct);
        await transaction.CommitAsync(ct);
        return true;
    }
}
