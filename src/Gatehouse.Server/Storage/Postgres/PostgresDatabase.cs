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

    public static int LatestVersion => Migrations.Latest;

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

    public override bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

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
            foreach (var migration in Migrations.All.Where(m => m.Version > current))
            {
                await RunAsync(migration.Postgres);
                await RunAsync($"INSERT INTO schema_version(version) VALUES ({migration.Version})");
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
