using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Gatehouse.Server.Tests.Harness;

/// <summary>
/// Which store the servers and CLI runs under test use. By default the embedded SQLite file in their data
/// directory; with GATEHOUSE_TEST_STORAGE=postgres (the README's test command runs the integration suites
/// a second time that way), a PostgreSQL database of its own per data directory, so the same tests
/// exercise both stores.
/// </summary>
public static class TestStorage
{
    public const string Variable = "GATEHOUSE_TEST_STORAGE";

    public static bool IsPostgres => Environment.GetEnvironmentVariable(Variable) == "postgres";

    /// <summary>The settings that point a server or CLI run for this data directory at its store.</summary>
    public static IEnumerable<string> ArgumentsFor(string dataDirectory, IEnumerable<string> alreadyGiven)
    {
        if (!IsPostgres || alreadyGiven.Any(a => a.Contains("Gatehouse:Storage:", StringComparison.OrdinalIgnoreCase))) return [];
        return
        [
            "--Gatehouse:Storage:Provider=postgres",
            $"--Gatehouse:Storage:ConnectionString={EnsureDatabase(dataDirectory)}",
        ];
    }

    /// <summary>Drops the database of a data directory, if the tests made one.</summary>
    public static void Forget(string dataDirectory)
    {
        if (!IsPostgres) return;
        try { TestBackends.DropDatabaseAsync(DatabaseName(dataDirectory)).GetAwaiter().GetResult(); }
        catch (NpgsqlException) { }
    }

    private static string EnsureDatabase(string dataDirectory)
    {
        var name = DatabaseName(dataDirectory);
        using var admin = new NpgsqlConnection(TestBackends.PostgresAdminConnectionString);
        admin.Open();
        using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", admin) { Parameters = { new() { Value = name } } })
        {
            if (exists.ExecuteScalar() is null)
            {
                using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
                try { create.ExecuteNonQuery(); }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase) { } // created meanwhile
            }
        }
        return new NpgsqlConnectionStringBuilder(TestBackends.PostgresAdminConnectionString) { Database = name }.ConnectionString;
    }

    private static string DatabaseName(string dataDirectory) =>
        "gh_test_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(dataDirectory))))[..20];
}
