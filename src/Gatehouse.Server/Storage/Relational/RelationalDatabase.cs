using System.Data.Common;

namespace Gatehouse.Server.Storage.Relational;

/// What the stores need from a database engine: connections, transactions, how it keeps time, and the
/// few statements that differ. The stores' SQL is shared; SQLite and PostgreSQL differ only here.
internal abstract class RelationalDatabase
{
    public abstract Task<DbConnection> OpenConnectionAsync(CancellationToken ct);

    /// A transaction for check-then-write work. SQLite takes its write lock at once (BEGIN IMMEDIATE);
    /// PostgreSQL relies on the row and advisory locks the statements take.
    protected abstract ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct);

    /// One consistent snapshot for a read of several statements.
    protected abstract ValueTask<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken ct);

    /// A time as the engine stores it (SQLite: Unix milliseconds; PostgreSQL: timestamptz).
    public abstract object Time(DateTimeOffset value);

    public abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    /// The larger of two values: GREATEST in PostgreSQL, the two-argument MAX in SQLite.
    public abstract string Greatest { get; }

    /// Appended to a SELECT whose row must stay locked until commit (PostgreSQL); empty where the write
    /// transaction already excludes every other writer (SQLite).
    public abstract string ForUpdate { get; }

    /// A UNIQUE or PRIMARY KEY constraint refused the statement (in PostgreSQL the transaction is then void).
    public abstract bool IsUniqueViolation(DbException exception);

    /// Taken before a row goes into a feed table (changes, revocations, audit_log), so rows become visible
    /// in sequence order: a reader polling "sequence > last seen" never skips one that commits late.
    public abstract Task LockFeedsAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct);

    /// Taken before adding a signing key: one key-adding transaction per algorithm at a time, on every node.
    public abstract Task LockSigningKeysAsync(DbConnection connection, DbTransaction transaction, string algorithm, CancellationToken ct);

    /// Runs `work` in one write transaction and commits it when `work` says so.
    public async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<(bool Commit, T Result)>> work, CancellationToken ct)
    {
        await using var connection = await OpenConnectionAsync(ct);
        await using var transaction = await BeginWriteAsync(connection, ct);
        var (commit, result) = await work(connection, transaction);
        if (commit) await transaction.CommitAsync(ct);
        return result;
    }

    /// Runs reads that must agree with each other in one snapshot.
    public async Task<T> InSnapshotAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct)
    {
        await using var connection = await OpenConnectionAsync(ct);
        await using var transaction = await BeginSnapshotAsync(connection, ct);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(ct);
        return result;
    }

    /// A command with `@name` parameters; times are converted to the engine's form, nulls to NULL.
    public DbCommand Command(DbConnection connection, string sql, DbTransaction? transaction = null,
        params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value switch
            {
                null => DBNull.Value,
                DateTimeOffset instant => Time(instant),
                _ => value,
            };
            command.Parameters.Add(parameter);
        }
        return command;
    }

    public async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, sql, transaction, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, sql, transaction, parameters);
        var value = await command.ExecuteScalarAsync(ct);
        return value is DBNull ? null : value;
    }

    /// A 0/1 integer column (both engines keep flags that way, so the SQL is shared).
    public static bool ReadFlag(DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal)) != 0;

    public DateTimeOffset? ReadTimeOrNull(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : ReadTime(reader, ordinal);

    /// Appends to the audit log inside the caller's transaction.
    public async Task AppendAuditAsync(DbConnection connection, DbTransaction transaction, AuditEntry entry, CancellationToken ct)
    {
        await LockFeedsAsync(connection, transaction, ct);
        await ExecuteAsync(connection, transaction,
            "INSERT INTO audit_log(at, actor, action, target, source_address, details) VALUES (@at, @actor, @action, @target, @source, @details)",
            ct, ("at", entry.At), ("actor", entry.Actor), ("action", entry.Action), ("target", entry.Target),
            ("source", entry.SourceAddress), ("details", entry.Details));
    }

    /// Appends to the change feed inside the caller's transaction.
    public async Task AppendChangeAsync(DbConnection connection, DbTransaction transaction, string kind, string id, DateTimeOffset at,
        CancellationToken ct)
    {
        await LockFeedsAsync(connection, transaction, ct);
        await ExecuteAsync(connection, transaction, "INSERT INTO changes(kind, id, at) VALUES (@kind, @id, @at)", ct,
            ("kind", kind), ("id", id), ("at", at));
    }
}
