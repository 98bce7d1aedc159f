using System.Data.Common;
using Gatehouse.Server.Storage.Relational;
using Microsoft.Data.Sqlite;

namespace Gatehouse.Server.Storage.Sqlite;

/// The embedded default: one SQLite file in WAL mode, shared safely by the server and the CLI.
/// Times are Unix milliseconds; one writer at a time (BEGIN IMMEDIATE) makes every check-then-write atomic.
internal sealed class SqliteDatabase : RelationalDatabase
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

    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct) => await OpenAsync(ct);

    protected override ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct) =>
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    protected override ValueTask<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken ct) =>
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    public override object Time(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    public override string Greatest => "MAX";

    public override string ForUpdate => "";

    public override Task LockFeedsAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct) => Task.CompletedTask;

    public override Task LockSigningKeysAsync(DbConnection connection, DbTransaction transaction, string algorithm, CancellationToken ct) =>
        Task.CompletedTask;

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
