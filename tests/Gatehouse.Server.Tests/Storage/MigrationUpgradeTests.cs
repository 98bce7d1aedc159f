using Gatehouse.Server.Clients;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Storage.Postgres;
using Gatehouse.Server.Storage.Relational;
using Gatehouse.Server.Storage.Sqlite;
using Gatehouse.Server.Tests.Harness;
using Gatehouse.Server.Users;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Gatehouse.Server.Tests.Storage;

/// A data directory (SQLite) or database (PostgreSQL) made by a Gatehouse at schema version 1 upgrades in place
/// when the current code opens it: its clients and secrets stay, and users can be created.
public sealed class MigrationUpgradeTests
{
    const string ClientRow =
        "INSERT INTO clients(client_id, name, scopes, audiences, grant_types, redirect_uris, auth_method, rate_limit, created_at) " +
        "VALUES ('cc_client_old', 'Old partner', 'decisions:read payments:read', 'partner/v1', 'client_credentials', '', " +
        "'client_secret_basic', 7, {0})";
    const string SecretRow =
        "INSERT INTO client_secrets(secret_id, client_id, hash, created_at) VALUES ('sec_old', 'cc_client_old', {0}, {1})";
    static readonly DateTimeOffset CreatedAt = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    static readonly byte[] SecretHash = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public async Task Upgrade_SqliteAtVersion1_KeepsClientsAndSecretsAndTakesUsers()
    {
        var directory = TestDirectories.Create();
        try
        {
            await using (var connection = new SqliteConnection($"Data Source={Path.Combine(directory, SqliteDatabase.FileName)};Pooling=False"))
            {
                await connection.OpenAsync();
                await ExecuteAsync(connection, Migrations.All[0].Sqlite + "\nPRAGMA user_version = 1;");
                var millis = CreatedAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
                await ExecuteAsync(connection, string.Format(ClientRow, millis));
                await ExecuteAsync(connection, string.Format(SecretRow, "x'" + Convert.ToHexString(SecretHash) + "'", millis));
            }

            await using var services = Services(new() { ["Gatehouse:DataDirectory"] = directory, ["Gatehouse:Storage:Provider"] = "sqlite" });
            await AssertUpgradedAsync(services);
            var database = services.GetRequiredService<SqliteDatabase>();
            await using var check = await database.OpenAsync(default);
            Assert.Equal(Migrations.Latest, Convert.ToInt32(await database.ScalarAsync(check, null, "PRAGMA user_version", default)));
            Assert.Equal(1L, await database.ScalarAsync(check, null, "SELECT require_consent FROM clients WHERE client_id = 'cc_client_old'", default));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            TestDirectories.Delete(directory);
        }
    }

    [Fact]
    public async Task Upgrade_PostgresAtVersion1_KeepsClientsAndSecretsAndTakesUsers()
    {
        var name = TestBackends.NewDatabaseName("gatehouse_upgrade");
        var connectionString = await TestBackends.CreateDatabaseAsync(name);
        try
        {
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync();
                await ExecuteAsync(connection, Migrations.All[0].Postgres);
                // As PostgresDatabase.MigrateAsync keeps the version.
                await ExecuteAsync(connection,
                    "CREATE TABLE schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now()); " +
                    "INSERT INTO schema_version(version) VALUES (1)");
                var at = $"'{CreatedAt:yyyy-MM-ddTHH:mm:ssZ}'";
                await ExecuteAsync(connection, string.Format(ClientRow, at));
                await ExecuteAsync(connection, string.Format(SecretRow, $"'\\x{Convert.ToHexString(SecretHash)}'::bytea", at));
            }

            await using var services = Services(new()
            {
                ["Gatehouse:DataDirectory"] = Path.Combine(Path.GetTempPath(), "gatehouse-tests", name), // never created
                ["Gatehouse:Storage:Provider"] = "postgres",
                ["Gatehouse:Storage:ConnectionString"] = connectionString,
            });
            await AssertUpgradedAsync(services);
            await using var versions = services.GetRequiredService<PostgresDatabase>().DataSource.CreateCommand(
                "SELECT COUNT(*), MAX(version) FROM schema_version");
            await using var reader = await versions.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(Migrations.Latest, reader.GetInt64(0));
            Assert.Equal(Migrations.Latest, reader.GetInt32(1));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await TestBackends.DropDatabaseAsync(name);
        }
    }

    /// Opening the store through the server's own DI migrates it; then the old rows are read and a user is written.
    static async Task AssertUpgradedAsync(IServiceProvider services)
    {
        var client = await services.GetRequiredService<IClientStore>().FindAsync("cc_client_old", default);
        Assert.NotNull(client);
        Assert.Equal("Old partner", client.Name);
        Assert.Equal(["decisions:read", "payments:read"], client.Scopes);
        Assert.Equal(["partner/v1"], client.Audiences);
        Assert.Equal(7, client.RateLimitPerSecond);
        Assert.Equal(CreatedAt, client.CreatedAt);
        var secret = Assert.Single(client.Secrets);
        Assert.Equal("sec_old", secret.SecretId);
        Assert.Equal(SecretHash, secret.Hash);
        Assert.Null(secret.RevokedAt);

        var created = await services.GetRequiredService<UserManagement>().CreateAsync(
            new UserRegistration(Email: "first@example.com", Name: "First Person", Password: "a long enough password"), Actor.System, default);
        Assert.False(created.IsError, created.Error?.Description);
        Assert.Equal(created.Value.Sub, (await services.GetRequiredService<IUserStore>().FindByEmailAsync("FIRST@example.com", default))?.Sub);
    }

    static ServiceProvider Services(Dictionary<string, string?> settings) => new ServiceCollection()
        .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
        .AddLogging()
        .AddGatehouseCore()
        .BuildServiceProvider();

    static async Task ExecuteAsync(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
