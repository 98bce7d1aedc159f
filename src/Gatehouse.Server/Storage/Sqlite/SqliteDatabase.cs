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
                    client_id   TEXT PRIMARY KEY,
                    name        TEXT NOT NULL,
                    scopes      TEXT NOT NULL,
                    audiences   TEXT NOT NULL,
                    grant_types TEXT NOT NULL,
                    rate_limit  INTEGER,
                    created_at  INTEGER NOT NULL);
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
                CREATE TABLE revoked_tokens (
                    jti        TEXT PRIMARY KEY,
                    client_id  TEXT NOT NULL,
                    expires_at INTEGER NOT NULL,
                    revoked_at INTEGER NOT NULL);
                CREATE INDEX revoked_tokens_by_expiry ON revoked_tokens(expires_at);
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

    public static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction = null,
        params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
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
