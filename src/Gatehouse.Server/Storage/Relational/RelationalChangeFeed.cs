namespace Gatehouse.Server.Storage.Relational;

internal sealed class RelationalChangeFeed(RelationalDatabase database) : IChangeFeed
{
    public async Task<long> LatestAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        return Convert.ToInt64(await database.ScalarAsync(connection, null, "SELECT COALESCE(MAX(sequence), 0) FROM changes", ct));
    }

    public Task<IReadOnlyList<Change>?> ReadSinceAsync(long sequence, CancellationToken ct) =>
        database.InSnapshotAsync<IReadOnlyList<Change>?>(async (connection, transaction) =>
        {
            // Pruned past what this reader last saw: it must reload everything.
            if (await database.ScalarAsync(connection, transaction, "SELECT MIN(sequence) FROM changes", ct) is { } oldest &&
                Convert.ToInt64(oldest) > sequence + 1)
                return null;
            await using var command = database.Command(connection,
                "SELECT sequence, kind, id FROM changes WHERE sequence > @since ORDER BY sequence LIMIT 10000", transaction, ("since", sequence));
            await using var reader = await command.ExecuteReaderAsync(ct);
            var changes = new List<Change>();
            while (await reader.ReadAsync(ct)) changes.Add(new Change(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
            return changes;
        }, ct);

    public async Task PruneAsync(DateTimeOffset olderThan, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        // Keep the newest row whatever its age, so MAX(sequence) never goes backwards.
        await database.ExecuteAsync(connection, null,
            "DELETE FROM changes WHERE at < @before AND sequence < (SELECT MAX(sequence) FROM changes)", ct, ("before", olderThan));
    }

    public async Task PingAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await database.ScalarAsync(connection, null, "SELECT 1", ct);
    }
}
