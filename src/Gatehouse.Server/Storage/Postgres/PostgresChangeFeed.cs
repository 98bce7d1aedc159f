using static Gatehouse.Server.Storage.Postgres.PostgresValues;

namespace Gatehouse.Server.Storage.Postgres;

internal sealed class PostgresChangeFeed(PostgresDatabase database) : IChangeFeed
{
    public async Task<long> LatestAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, "SELECT COALESCE(MAX(sequence), 0) FROM changes");
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    public Task<IReadOnlyList<Change>?> ReadSinceAsync(long sequence, CancellationToken ct) =>
        InSnapshotAsync<IReadOnlyList<Change>?>(database, async (connection, transaction) =>
        {
            await using (var oldest = Command(connection, "SELECT MIN(sequence) FROM changes", transaction))
            {
                var value = await oldest.ExecuteScalarAsync(ct);
                // Pruned past what this reader last saw: it must reload everything.
                if (value is long first && first > sequence + 1) return null;
            }
            await using var command = Command(connection,
                "SELECT sequence, kind, id FROM changes WHERE sequence > @since ORDER BY sequence LIMIT 10000", transaction, ("since", sequence));
            await using var reader = await command.ExecuteReaderAsync(ct);
            var changes = new List<Change>();
            while (await reader.ReadAsync(ct)) changes.Add(new Change(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
            return changes;
        }, ct);

    public async Task PruneAsync(DateTimeOffset olderThan, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        // Keep the newest row whatever its age, so MAX(sequence) never goes backwards.
        await using var command = Command(connection,
            "DELETE FROM changes WHERE at < @before AND sequence < (SELECT MAX(sequence) FROM changes)", null, ("before", olderThan));
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task PingAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, "SELECT 1");
        await command.ExecuteScalarAsync(ct);
    }
}
