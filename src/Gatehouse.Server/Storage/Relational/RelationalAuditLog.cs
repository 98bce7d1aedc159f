namespace Gatehouse.Server.Storage.Relational;

internal sealed class RelationalAuditLog(RelationalDatabase database) : IAuditLog
{
    public Task AppendAsync(AuditEntry entry, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            await database.AppendAuditAsync(connection, transaction, entry, ct);
            return (true, true);
        }, ct);

    public async Task<IReadOnlyList<AuditRecord>> ReadAsync(long after, int limit, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = database.Command(connection,
            "SELECT id, at, actor, action, target, source_address, details FROM audit_log WHERE id > @after ORDER BY id LIMIT @limit",
            null, ("after", after), ("limit", limit));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var records = new List<AuditRecord>();
        while (await reader.ReadAsync(ct))
        {
            records.Add(new AuditRecord(reader.GetInt64(0), new AuditEntry(database.ReadTime(reader, 1), reader.GetString(2),
                reader.GetString(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6))));
        }
        return records;
    }
}
