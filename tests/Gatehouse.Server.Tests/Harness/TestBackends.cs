using System.Security.Cryptography;
using Npgsql;

namespace Gatehouse.Server.Tests.Harness;

/// <summary>
/// The real PostgreSQL and Redis the tests use, found through environment variables that the README's
/// test command (test.sh) and CI set after starting them. Missing ones fail the test loudly: a test that
/// needs them never passes by skipping.
/// </summary>
public static class TestBackends
{
    public const string PostgresVariable = "GATEHOUSE_TEST_POSTGRES";
    public const string RedisVariable = "GATEHOUSE_TEST_REDIS";

    public static string PostgresAdminConnectionString => Require(PostgresVariable, ".ci/postgres.sh");

    public static string RedisConfiguration => Require(RedisVariable, ".ci/redis.sh");

    private static string Require(string variable, string script) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{variable} is not set. Run the tests with ./test.sh (it starts PostgreSQL and Redis), or start them with {script} and export {variable}.");

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string name)
    {
        await using var admin = new NpgsqlConnection(PostgresAdminConnectionString);
        await admin.OpenAsync();
        await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin)) await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(PostgresAdminConnectionString) { Database = name }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(PostgresAdminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    public static string NewDatabaseName(string prefix) => $"{prefix}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
}

/// <summary>
/// One PostgreSQL database and one Redis shared by several server nodes, as in a scale-out deployment:
/// same store, same root key, same public issuer. The database can sit behind a <see cref="TcpFaultProxy"/>.
/// </summary>
public sealed class SharedBackend : IAsyncDisposable
{
    public const string PublicIssuer = "http://gatehouse.test";

    private readonly string database;

    private SharedBackend(string database, IReadOnlyDictionary<string, string> settings, TcpFaultProxy? postgresProxy, string directory)
    {
        this.database = database;
        NodeSettings = settings;
        PostgresProxy = postgresProxy;
        DataDirectory = directory;
    }

    public IReadOnlyDictionary<string, string> NodeSettings { get; }
    public TcpFaultProxy? PostgresProxy { get; }

    /// <summary>A directory for the CLI (and each node's local files); the state lives in PostgreSQL.</summary>
    public string DataDirectory { get; }

    public static async Task<SharedBackend> CreateAsync(bool proxyPostgres = false, IReadOnlyDictionary<string, string>? extra = null)
    {
        var name = TestBackends.NewDatabaseName("gh_scale");
        var connection = new NpgsqlConnectionStringBuilder(await TestBackends.CreateDatabaseAsync(name));
        TcpFaultProxy? proxy = null;
        if (proxyPostgres)
        {
            proxy = new TcpFaultProxy(connection.Host!, connection.Port);
            connection.Host = "127.0.0.1";
            connection.Port = proxy.Port;
        }
        var settings = new Dictionary<string, string>(extra ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase)
        {
            ["Gatehouse:Storage:Provider"] = "postgres",
            ["Gatehouse:Storage:ConnectionString"] = connection.ConnectionString,
            ["Gatehouse:Redis:Configuration"] = TestBackends.RedisConfiguration,
            ["Gatehouse:KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Gatehouse:Issuer"] = PublicIssuer,
            ["Gatehouse:RateLimits:FailedAuthenticationsPerMinute"] = "100000",
            // The load tests drive one client in tight loops (503s come back fast): measure the nodes, not the per-client limits.
            ["Gatehouse:RateLimits:IntrospectionsPerSecond"] = "1000000",
            ["Gatehouse:RateLimits:RevocationsPerSecond"] = "1000000",
        };
        return new SharedBackend(name, settings, proxy, TestDirectories.Create());
    }

    public Task<GatehouseProcess> StartNodeAsync() => GatehouseProcess.StartAsync(TestDirectories.Create(), NodeSettings);

    public async Task<GatehouseProcess[]> StartNodesAsync(int count) =>
        await Task.WhenAll(Enumerable.Range(0, count).Select(_ => StartNodeAsync()));

    /// <summary>The CLI against the shared store.</summary>
    public Task<CliResult> CliAsync(params string[] args) =>
        GatehouseCli.RunAsync(DataDirectory, [.. args, .. NodeSettings.Select(s => $"--{s.Key}={s.Value}")]);

    public async Task<CreatedClient> CreateClientAsync(string name, string? scope = null, int? rateLimit = null)
    {
        var args = new List<string> { "clients", "create", "--name", name, "--json" };
        if (scope is not null) args.AddRange(["--scope", scope]);
        if (rateLimit is not null) args.AddRange(["--rate-limit", rateLimit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var result = await CliAsync([.. args]);
        if (result.ExitCode != 0) throw new InvalidOperationException($"clients create failed.\n{result}");
        return GatehouseCli.ParseCreatedClient(result);
    }

    public async ValueTask DisposeAsync()
    {
        if (PostgresProxy is not null) await PostgresProxy.DisposeAsync();
        await TestBackends.DropDatabaseAsync(database);
        TestDirectories.Delete(DataDirectory);
    }
}
