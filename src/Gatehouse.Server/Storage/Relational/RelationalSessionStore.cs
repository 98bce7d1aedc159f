using Gatehouse.Server.Sessions;

namespace Gatehouse.Server.Storage.Relational;

internal sealed class RelationalSessionStore(RelationalDatabase database) : ISessionStore
{
    public Task CreateAsync(Session session, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            await database.ExecuteAsync(connection, transaction,
                "INSERT INTO sessions(handle_hash, sid, sub, auth_time, amr, created_at, expires_at) VALUES (@hash, @sid, @sub, @auth, @amr, @created, @expires)", ct,
                ("hash", session.HandleHash), ("sid", session.Sid), ("sub", session.Sub), ("auth", session.AuthTime), ("amr", session.Amr),
                ("created", session.CreatedAt), ("expires", session.ExpiresAt));
            return (true, true);
        }, ct);

    public async Task<Session?> FindAsync(byte[] handleHash, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = database.Command(connection,
            "SELECT handle_hash, sid, sub, auth_time, amr, created_at, expires_at, ended_at FROM sessions WHERE handle_hash = @hash", null,
            ("hash", handleHash));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new Session(reader.GetFieldValue<byte[]>(0), reader.GetString(1), reader.GetString(2), database.ReadTime(reader, 3),
            reader.GetString(4), database.ReadTime(reader, 5), database.ReadTime(reader, 6), database.ReadTimeOrNull(reader, 7));
    }

    public async Task EndAsync(byte[] handleHash, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await database.ExecuteAsync(connection, null, "UPDATE sessions SET ended_at = @at WHERE handle_hash = @hash AND ended_at IS NULL", ct,
            ("hash", handleHash), ("at", at));
    }

    public async Task EndAllOfUserAsync(string sub, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await database.ExecuteAsync(connection, null, "UPDATE sessions SET ended_at = @at WHERE sub = @sub AND ended_at IS NULL", ct,
            ("sub", sub), ("at", at));
    }

    public async Task PruneAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await database.ExecuteAsync(connection, null, "DELETE FROM sessions WHERE expires_at < @now OR ended_at < @now", ct, ("now", now));
    }
}

internal sealed class RelationalSignInFailureStore(RelationalDatabase database) : ISignInFailureStore
{
    public async Task<int> CountSinceAsync(string key, DateTimeOffset since, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        return Convert.ToInt32(await database.ScalarAsync(connection, null,
            "SELECT COUNT(*) FROM sign_in_failures WHERE throttle_key = @key AND at > @since", ct, ("key", key), ("since", since)));
    }

    public Task RecordAsync(string attemptId, IReadOnlyList<string> keys, DateTimeOffset at, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            foreach (var key in keys)
                await database.ExecuteAsync(connection, transaction,
                    "INSERT INTO sign_in_failures(throttle_key, attempt_id, at) VALUES (@key, @attempt, @at)", ct,
                    ("key", key), ("attempt", attemptId), ("at", at));
            return (true, true);
        }, ct);

    public async Task ForgetAsync(string attemptId, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await database.ExecuteAsync(connection, null, "DELETE FROM sign_in_failures WHERE attempt_id = @attempt", ct, ("attempt", attemptId));
    }

    public async Task PruneAsync(DateTimeOffset olderThan, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await database.ExecuteAsync(connection, null, "DELETE FROM sign_in_failures WHERE at < @before", ct, ("before", olderThan));
    }
}
