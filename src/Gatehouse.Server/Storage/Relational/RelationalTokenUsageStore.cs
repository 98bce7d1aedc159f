using Gatehouse.Server.Dashboard;

namespace Gatehouse.Server.Storage.Relational;

/// token_usage: one row per client and minute, added to (never overwritten) so several nodes' counts merge.
internal sealed class RelationalTokenUsageStore(RelationalDatabase database) : ITokenUsageStore
{
    public Task AddAsync(IReadOnlyCollection<TokenUsageMinute> minutes, CancellationToken ct)
    {
        if (minutes.Count == 0) return Task.CompletedTask;
        return database.InTransactionAsync(async (connection, transaction) =>
        {
            foreach (var m in minutes)
                await database.ExecuteAsync(connection, transaction, """
                    INSERT INTO token_usage(client_id, minute, issued, rate_limited, failed) VALUES (@id, @minute, @issued, @limited, @failed)
                    ON CONFLICT (client_id, minute) DO UPDATE SET issued = token_usage.issued + excluded.issued,
                        rate_limited = token_usage.rate_limited + excluded.rate_limited, failed = token_usage.failed + excluded.failed
                    """, ct, ("id", m.ClientId), ("minute", m.Minute), ("issued", m.Issued), ("limited", m.RateLimited), ("failed", m.Failed));
            return (true, true);
        }, ct);
    }

    public async Task<IReadOnlyList<TokenUsageMinute>> ReadAsync(string clientId, long fromMinute, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = database.Command(connection,
            "SELECT minute, issued, rate_limited, failed FROM token_usage WHERE client_id = @id AND minute >= @from ORDER BY minute", null,
            ("id", clientId), ("from", fromMinute));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var minutes = new List<TokenUsageMinute>();
        while (await reader.ReadAsync(ct))
            minutes.Add(new TokenUsageMinute(clientId, Convert.ToInt64(reader.GetValue(0)), Convert.ToInt64(reader.GetValue(1)),
                Convert.ToInt64(reader.GetValue(2)), Convert.ToInt64(reader.GetValue(3))));
        return minutes;
    }

    public async Task PruneAsync(long beforeMinute, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await database.ExecuteAsync(connection, null, "DELETE FROM token_usage WHERE minute < @before", ct, ("before", beforeMinute));
    }
}
