using System.Data;
using System.Data.Common;
using Gatehouse.Server.Storage.Relational;
using Npgsql;

namespace Gatehouse.Server.Storage.Postgres;

/// Shared storage for many stateless nodes: one pooled NpgsqlDataSource, and a schema that the first
/// connection of each process brings up to date (or `gatehouse migrate` does beforehand).
internal sealed class PostgresDatabase : RelationalDatabase, IDisposable, IAsyncDisposable
{
    private readonly SemaphoreSlim _migrating = new(1, 1);
    private volatile bool _migrated;

    public PostgresDatabase(string connectionString) => DataSource = NpgsqlDataSource.Create(WithDefaults(connectionString));

    public NpgsqlDataSource DataSource { get; }

    public static int LatestVersion => Migrations[^1].Version;

    /// Fail fast when the database is unreachable (the caller answers 503) instead of hanging on
    /// Npgsql's 15 s connect and 30 s command defaults. Settings the operator gave win.
    public static string WithDefaults(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new NpgsqlConnectionStringBuilder(connectionString); // pooling stays on: Npgsql's default
        if (!given.ContainsKey("Timeout")) builder.Timeout = 3;
        if (!given.ContainsKey("Command Timeout") && !given.ContainsKey("CommandTimeout")) builder.CommandTimeout = 5;
        if (!given.ContainsKey("Application Name") && !given.ContainsKey("ApplicationName")) builder.ApplicationName = "gatehouse";
        return builder.ConnectionString;
    }

    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct)
    {
        if (!_migrated) await MigrateAsync(ct);
        return await DataSource.OpenConnectionAsync(ct);
    }

    protected override async ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct) =>
        await connection.BeginTransactionAsync(ct);

    protected override async ValueTask<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken ct) =>
        await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);

    /// timestamptz takes UTC only; any offset the caller had means the same instant.
    public override object Time(DateTimeOffset value) => value.ToUniversalTime();

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    public override string Greatest => "GREATEST";

    public override string ForUpdate => " FOR UPDATE";

    /// Held until the transaction ends; see PostgresLocks.Feed.
    public override Task LockFeedsAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct) =>
        ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({PostgresLocks.Feed})", ct);

    public override Task LockSigningKeysAsync(DbConnection connection, DbTransaction transaction, string algorithm, CancellationToken ct) =>
        ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({PostgresLocks.SigningKeys}, hashtext(@alg))", ct, ("alg", algorithm));

    /// Applies the pending migrations and returns the schema version. They run in one transaction under an
    /// advisory lock, so of several nodes starting at once one migrates and the others then find nothing to do.
    public async Task<int> MigrateAsync(CancellationToken ct)
    {
        await _migrating.WaitAsync(ct);
        try
        {
            if (_migrated) return LatestVersion;
            await using var connection = await DataSource.OpenConnectionAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await RunAsync($"SELECT pg_advisory_xact_lock({PostgresLocks.Migration})");
            await RunAsync("CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
            var current = Convert.ToInt32(await RunAsync("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
            if (current > LatestVersion)
                throw new InvalidOperationException($"The database schema ({current}) is newer than this Gatehouse ({LatestVersion}).");
            foreach (var (version, sql) in Migrations.Where(m => m.Version > current))
            {
                await RunAsync(sql);
                await RunAsync($"INSERT INTO schema_version(version) VALUES ({version})");
            }
            await transaction.CommitAsync(ct);
            _migrated = true;
            return LatestVersion;

            async Task<object?> RunAsync(string sql)
            {
                // Waiting for another node's migration may take longer than an ordinary command may.
                await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 300 };
                return await command.ExecuteScalarAsync(ct);
            }
        }
        finally { _migrating.Release(); }
    }

    /// The SQLite schema's meaning in PostgreSQL types. Append new versions; never edit a released one.
    private static readonly (int Version, string Sql)[] Migrations =
    [
        (1, """
            CREATE TABLE clients (
                client_id     text PRIMARY KEY,
                name          text NOT NULL,
                scopes        text NOT NULL,
                audiences     text NOT NULL,
                grant_types   text NOT NULL,
                redirect_uris text NOT NULL,
                auth_method   text NOT NULL,
                rate_limit    integer,
                tokens_revoked_before_us bigint,
                created_at    timestamptz NOT NULL,
                updated_at    timestamptz);
            CREATE TABLE client_secrets (
                secret_id    text PRIMARY KEY,
                client_id    text NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
                hash         bytea NOT NULL,
                created_at   timestamptz NOT NULL,
                last_used_at timestamptz,
                revoked_at   timestamptz);
            CREATE INDEX client_secrets_by_client ON client_secrets(client_id);
            CREATE TABLE signing_keys (
                kid          text PRIMARY KEY,
                alg          text NOT NULL,
                private_key  bytea NOT NULL,
                created_at   timestamptz NOT NULL,
                activates_at timestamptz NOT NULL,
                revoked_at   timestamptz);
            -- Single tokens (jti) and client-wide cut-offs, in feed order; a row goes once expires_at passes.
            CREATE TABLE revocations (
                sequence          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                client_id         text NOT NULL,
                jti               text UNIQUE,
                revoked_before_us bigint,
                expires_at        timestamptz NOT NULL,
                revoked_at        timestamptz NOT NULL);
            CREATE INDEX revocations_by_expiry ON revocations(expires_at);
            CREATE TABLE audit_log (
                id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at             timestamptz NOT NULL,
                actor          text NOT NULL,
                action         text NOT NULL,
                target         text NOT NULL,
                source_address text,
                details        text);
            CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
            CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
            CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
                FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
            CREATE TABLE changes (
                sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                kind     text NOT NULL,
                id       text NOT NULL,
                at       timestamptz NOT NULL);
            """),
    ];

    public void Dispose() => DataSource.Dispose();

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}

/// Advisory lock keys. Single-key locks (bigint) and two-key locks (int, int) never collide with each other.
internal static class PostgresLocks
{
    public const long Migration = 0x6761_7465_0001;

    /// Held from before a row goes into `changes`, `revocations` or `audit_log` until commit, so rows become
    /// visible in sequence order: a reader polling "sequence > last seen" never skips one that commits late.
    public const long Feed = 0x6761_7465_0002;

    /// With hashtext(alg) as the second key: one key-adding transaction per algorithm at a time.
    public const int SigningKeys = 0x6761_7465;
}
