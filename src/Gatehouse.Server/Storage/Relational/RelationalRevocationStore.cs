using System.Data.Common;

namespace Gatehouse.Server.Storage.Relational;

internal sealed class RelationalRevocationStore(RelationalDatabase database) : IRevocationStore
{
    private const string SelectTokens = "SELECT jti, client_id, expires_at, revoked_at FROM revocations WHERE jti IS NOT NULL";

    public Task AddAsync(RevokedToken token, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            await database.LockFeedsAsync(connection, transaction, ct);
            var inserted = await database.ExecuteAsync(connection, transaction,
                "INSERT INTO revocations(client_id, jti, expires_at, revoked_at) VALUES (@client, @jti, @exp, @at) ON CONFLICT (jti) DO NOTHING", ct,
                ("jti", token.Jti), ("client", token.ClientId), ("exp", token.ExpiresAt), ("at", token.RevokedAt));
            if (inserted > 0) await database.AppendChangeAsync(connection, transaction, Change.Revocation, token.Jti, token.RevokedAt, ct);
            return (true, true);
        }, ct);

    public async Task<RevokedToken?> FindAsync(string jti, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = database.Command(connection, SelectTokens + " AND jti = @jti", null, ("jti", jti));
        var rows = await ReadTokensAsync(command, ct);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<RevokedToken>> LoadUnexpiredAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = database.Command(connection, SelectTokens + " AND expires_at > @now", null, ("now", now));
        return await ReadTokensAsync(command, ct);
    }

    public Task<RevocationFeedPage> ReadFeedAsync(long since, DateTimeOffset now, int limit, CancellationToken ct) =>
        database.InSnapshotAsync(async (connection, transaction) =>
        {
            var latest = Convert.ToInt64(await database.ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(sequence), 0) FROM revocations", ct));
            await using var command = database.Command(connection,
                "SELECT sequence, client_id, jti, expires_at, revoked_before_us FROM revocations " +
                "WHERE sequence > @since AND expires_at > @now ORDER BY sequence LIMIT @limit", transaction,
                ("since", since), ("now", now), ("limit", limit + 1));
            var entries = new List<RevocationFeedEntry>();
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    entries.Add(new RevocationFeedEntry(reader.GetInt64(0), reader.GetString(1),
                        reader.IsDBNull(2) ? null : reader.GetString(2), database.ReadTime(reader, 3),
                        reader.IsDBNull(4) ? null : reader.GetInt64(4)));
                }
            }
            var hasMore = entries.Count > limit;
            if (hasMore) entries.RemoveAt(entries.Count - 1);
            // The cursor never goes backwards, and skips past expired rows nobody needs to read.
            var cursor = hasMore ? entries[^1].Sequence : Math.Max(since, latest);
            return new RevocationFeedPage(entries, cursor, hasMore);
        }, ct);

    public async Task<int> PruneExpiredAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        // Keep the newest row whatever its age, so the feed's cursor (MAX(sequence)) never goes backwards.
        return await database.ExecuteAsync(connection, null,
            "DELETE FROM revocations WHERE expires_at <= @now AND sequence < (SELECT MAX(sequence) FROM revocations)", ct, ("now", now));
    }

    private async Task<List<RevokedToken>> ReadTokensAsync(DbCommand command, CancellationToken ct)
    {
        var rows = new List<RevokedToken>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add(new RevokedToken(reader.GetString(0), reader.GetString(1), database.ReadTime(reader, 2), database.ReadTime(reader, 3)));
        return rows;
    }
}
