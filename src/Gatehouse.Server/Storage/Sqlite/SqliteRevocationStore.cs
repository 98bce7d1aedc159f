using Microsoft.Data.Sqlite;
using static Gatehouse.Server.Storage.Sqlite.SqliteValues;

namespace Gatehouse.Server.Storage.Sqlite;

internal sealed class SqliteRevocationStore(SqliteDatabase database) : IRevocationStore
{
    public async Task AddAsync(RevokedToken token, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await using (var insert = Command(connection,
            "INSERT INTO revoked_tokens(jti, client_id, expires_at, revoked_at) VALUES ($jti, $client, $exp, $at) " +
            "ON CONFLICT(jti) DO NOTHING", transaction,
            ("$jti", token.Jti), ("$client", token.ClientId), ("$exp", ToUnixMs(token.ExpiresAt)), ("$at", ToUnixMs(token.RevokedAt))))
        {
            await insert.ExecuteNonQueryAsync(ct);
        }
        await AppendChangeAsync(connection, transaction, Change.Revocation, token.Jti, token.RevokedAt, ct);
        await transaction.CommitAsync(ct);
    }

    public async Task<RevokedToken?> FindAsync(string jti, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection,
            "SELECT jti, client_id, expires_at, revoked_at FROM revoked_tokens WHERE jti = $jti", null, ("$jti", jti));
        var rows = await ReadAsync(command, ct);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<RevokedToken>> LoadUnexpiredAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection,
            "SELECT jti, client_id, expires_at, revoked_at FROM revoked_tokens WHERE expires_at > $now", null, ("$now", ToUnixMs(now)));
        return await ReadAsync(command, ct);
    }

    public async Task<int> PruneExpiredAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, "DELETE FROM revoked_tokens WHERE expires_at <= $now", null, ("$now", ToUnixMs(now)));
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<List<RevokedToken>> ReadAsync(SqliteCommand command, CancellationToken ct)
    {
        var rows = new List<RevokedToken>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add(new RevokedToken(reader.GetString(0), reader.GetString(1), FromUnixMs(reader.GetInt64(2)), FromUnixMs(reader.GetInt64(3))));
        return rows;
    }
}
