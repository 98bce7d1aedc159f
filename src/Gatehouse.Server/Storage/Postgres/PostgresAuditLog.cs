using static Gatehouse.Server.Storage.Postgres.PostgresValues;

namespace Gatehouse.Server.Storage.Postgres;

internal sealed class PostgresAuditLog(PostgresDatabase database) : IAuditLog
{
    public Task AppendAsync(AuditEntry entry, CancellationToken ct) =>
        InTransactionAsync(database, async (connection, transaction) =>
        {
            await AppendAuditAsync(connection, transaction, entry, ct);
            return (true, true);
        }, ct);

    public async Task<IReadOnlyList<AuditRecord>> ReadAsync(long after, int limit, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection,
            "SELECT id, at, actor, action, target, source_address, details FROM audit_log WHERE id > @after ORDER BY id LIMIT @limit",
            null, ("after", after), ("limit", limit));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var records = new List<AuditRecord>();
        while (await reader.ReadAsync(ct))
        {
            records.Add(new AuditRecord(reader.GetInt64(0), new AuditEntry(GetInstant(reader, 1), reader.GetString(2),
                reader.GetString(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6))));
        }
        return records;
    }
}
