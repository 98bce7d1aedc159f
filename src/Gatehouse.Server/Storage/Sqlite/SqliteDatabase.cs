using System.Data.Common;
using Gatehouse.Server.Storage.Relational;
using Microsoft.Data.Sqlite;

namespace Gatehouse.Server.Storage.Sqlite;

/// The embedded default: one SQLite file in WAL mode, shared safely by the server and the CLI.
/// Times are Unix milliseconds; one writer at a time (BEGIN IMMEDIATE) makes every check-then-write atomic.
internal sealed class SqliteDatabase : RelationalDatabase
{
    public const string FileName = "gatehouse.db";

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

    /// SQLITE_CONSTRAINT_UNIQUE (2067) and SQLITE_CONSTRAINT_PRIMARYKEY (1555).
    public override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: 2067 or 1555 };

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

    /// Applies the pending versions of Migrations.All in one immediate transaction, so a server and a CLI
    /// opening the same file at once never both migrate. PRAGMA user_version holds the version.
    private void Migrate()
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA busy_timeout=30000; PRAGMA journal_mode=WAL;";
            wal.ExecuteNonQuery();
        }
        using var transaction = connection.BeginTransaction(deferred: false);
        using var version = connection.CreateCommand();
        version.Transaction = transaction;
        version.CommandText = "PRAGMA user_version;";
        var current = Convert.ToInt32(version.ExecuteScalar());
        if (current > Migrations.Latest)
            throw new InvalidOperationException($"The database schema ({current}) is newer than this Gatehouse ({Migrations.Latest}).");
        foreach (var migration in Migrations.All.Where(m => m.Version > current))
        {
            using var step = connection.CreateCommand();
            step.Transaction = transaction;
            step.CommandText = migration.Sqlite + $"\nPRAGMA user_version = {migration.Version};";
            step.ExecuteNonQuery();
        }
        transaction.Commit();
    }
}
