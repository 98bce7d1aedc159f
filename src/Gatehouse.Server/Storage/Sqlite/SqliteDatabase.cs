using Microsoft.Data.Sqlite;

namespace Gatehouse.Server.Storage.Sqlite;

/// The embedded default: one SQLite file in WAL mode, shared safely by the server and the CLI.
internal sealed class SqliteDatabase
{
    public const string FileName = "gatehouse.db";
    private const int SchemaVersion = 1;

    public SqliteDatabase(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, FileName),
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = 30, // seconds to wait on a lock held by another process
        }.ToString();
        Migrate();
    }

    public string ConnectionString { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(ct);
        using var pragma = connection.CreateCommand();
        // FULL: a commit we answered 200 for survives power loss, not just a crash.
        pragma.CommandText = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    private void Migrate()
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA busy_timeout=30000; PRAGMA journal_mode=WAL;";
            wal.ExecuteNonQuery();
        }
        using var transaction = connection.BeginTransaction(System.Data.IsolationLevel.Serializable);
        using var version = connection.CreateCommand();
        version.Transaction = transaction;
        version.CommandText = "PRAGMA user_version;";
        var current = Convert.ToInt32(version.ExecuteScalar());
        if (current > SchemaVersion)
            throw new InvalidOperationException($"The database schema ({current}) is newer than this Gatehouse ({SchemaVersion}).");
        if (current < 1)
        {
            using var create = connection.CreateCommand();
            create.Transaction = transaction;
            create.CommandText = """
                CREATE TABLE clients (
                    client_id     TEXT PRIMARY KEY,
                    name          TEXT NOT NULL,
                    scopes        TEXT NOT NULL,
                    audiences     TEXT NOT NULL,
                    grant_types   TEXT NOT NULL,
                    redirect_uris TEXT NOT NULL,
                    auth_method   TEXT NOT NULL,
                    rate_limit    INTEGER,
                    tokens_revoked_before_us INTEGER,
                    created_at    INTEGER NOT NULL,
                    updated_at    INTEGER);
                CREATE TABLE client_secrets (
                    secret_id    TEXT PRIMARY KEY,
                    client_id    TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
                    hash         BLOB NOT NULL,
                    created_at   INTEGER NOT NULL,
                    last_used_at INTEGER,
                    revoked_at   INTEGER);
                CREATE INDEX client_secrets_by_client ON client_secrets(client_id);
                CREATE TABLE signing_keys (
                    kid          TEXT PRIMARY KEY,
                    alg          TEXT NOT NULL,
                    private_key  BLOB NOT NULL,
                    created_at   INTEGER NOT NULL,
                    activates_at INTEGER NOT NULL,
                    revoked_at   INTEGER);
                -- Single tokens (jti) and client-wide cut-offs, in feed order; a row goes once expires_at passes.
                CREATE TABLE revocations (
                    sequence          INTEGER PRIMARY KEY AUTOINCREMENT,
                    client_id         TEXT NOT NULL,
                    jti               TEXT UNIQUE,
                    revoked_before_us INTEGER,
                    expires_at        INTEGER NOT NULL,
                    revoked_at        INTEGER NOT NULL);
                CREATE INDEX revocations_by_expiry ON revocations(expires_at);
                CREATE TABLE audit_log (
                    id             INTEGER PRIMARY KEY AUTOINCREMENT,
                    at             INTEGER NOT NULL,
                    actor          TEXT NOT NULL,
                    action         TEXT NOT NULL,
                    target         TEXT NOT NULL,
                    source_address TEXT,
                    details        TEXT);
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                CREATE TABLE changes (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind     TEXT NOT NULL,
                    id       TEXT NOT NULL,
                    at       INTEGER NOT NULL);
                PRAGMA user_version = 1;
                """;
            create.ExecuteNonQuery();
        }
        transaction.Commit();
    }
}

internal static class SqliteValues
{
    public static long ToUnixMs(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static object ToUnixMsOrNull(DateTimeOffset? value) => value is { } v ? v.ToUnixTimeMilliseconds() : DBNull.Value;

    public static DateTimeOffset FromUnixMs(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);

    public static DateTimeOffset? FromUnixMsOrNull(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    /// Runs `work` in one transaction and commits it when `work` returns true.
    public static async Task<T> InTransactionAsync<T>(SqliteDatabase database, Func<SqliteConnection, SqliteTransaction, Task<(bool Commit, T Result)>> work,
        CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        // IMMEDIATE: take the write lock up front, so a read-then-write (e.g. "fewer than two live secrets?")
        // cannot interleave with another process's write.
        await using var transaction = connection.BeginTransaction(deferred: false);
        var (commit, result) = await work(connection, transaction);
        if (commit) await transaction.CommitAsync(ct);
        return result;
    }

    public static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql,
        CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, sql, transaction, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }

    public static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction = null,
        params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    /// Appends to the audit log inside the caller's transaction.
    public static async Task AppendAuditAsync(SqliteConnection connection, SqliteTransaction transaction, AuditEntry entry, CancellationToken ct)
    {
        await using var command = Command(connection,
            "INSERT INTO audit_log(at, actor, action, target, source_address, details) VALUES ($at, $actor, $action, $target, $source, $details)",
            transaction, ("$at", ToUnixMs(entry.At)), ("$actor", entry.Actor), ("$action", entry.Action), ("$target", entry.Target),
            ("$source", entry.SourceAddress), ("$details", entry.Details));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// Appends to the change feed inside the caller's transaction.
    public static async Task AppendChangeAsync(SqliteConnection connection, SqliteTransaction transaction,
        string kind, string id, DateTimeOffset at, CancellationToken ct)
    {
        await using var command = Command(connection, "INSERT INTO changes(kind, id, at) VALUES ($kind, $id, $at)", transaction,
            ("$kind", kind), ("$id", id), ("$at", ToUnixMs(at)));
        await command.ExecuteNonQueryAsync(ct);
    }
}
