using System.Data.Common;
using System.Security.Cryptography;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Storage.Postgres;
using Gatehouse.Server.Storage.Sqlite;
using Gatehouse.Server.Tests.Harness;
using Gatehouse.Server.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Gatehouse.Server.Tests.Storage;

/// What every store must do, whatever the engine. Each test gets a fresh, empty store built through the
/// server's own DI registration (AddGatehouseCore), so the provider wiring is under test too.
public abstract partial class StoreContractTests : IAsyncLifetime
{
    // Whole milliseconds: the SQLite store keeps no finer.
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    private ServiceProvider? _services;

    private protected IClientStore Clients => Get<IClientStore>();
    private protected ISigningKeyStore Keys => Get<ISigningKeyStore>();
    private protected IRevocationStore Revocations => Get<IRevocationStore>();
    private protected IAuditLog Audit => Get<IAuditLog>();
    private protected IChangeFeed Changes => Get<IChangeFeed>();
    private protected IUserStore Users => Get<IUserStore>();

    private protected T Get<T>() where T : notnull => _services!.GetRequiredService<T>();

    /// Creates an empty store; returns the Gatehouse:Storage:* (and any other) settings that select it.
    private protected abstract Task<Dictionary<string, string?>> CreateStoreAsync();

    private protected abstract Task DropStoreAsync();

    /// Runs SQL against the store's database directly, past the interfaces.
    private protected abstract Task ExecuteRawSqlAsync(string sql);

    public async Task InitializeAsync()
    {
        var settings = await CreateStoreAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        _services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddGatehouseCore()
            .BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        if (_services is not null) await _services.DisposeAsync();
        await DropStoreAsync();
    }

    [Fact]
    public async Task DashboardTokenUsage_WritesAdd_SoSeveralNodesMerge()
    {
        var usage = Get<ITokenUsageStore>();
        const long minute = 29_000_000;
        // Two nodes flushing the same minute at once, twice each: every count adds up.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => usage.AddAsync(
            [new Gatehouse.Server.Dashboard.TokenUsageMinute("cc_client_a", minute, 3, 2, 1),
             new Gatehouse.Server.Dashboard.TokenUsageMinute("cc_client_a", minute + 1, 1, 0, 0)], default)));
        await usage.AddAsync([new Gatehouse.Server.Dashboard.TokenUsageMinute("cc_client_b", minute, 5, 0, 0)], default);

        var a = await usage.ReadAsync("cc_client_a", minute, default);
        Assert.Equal([(minute, 12L, 8L, 4L), (minute + 1, 4L, 0L, 0L)], a.Select(m => (m.Minute, m.Issued, m.RateLimited, m.Failed)));
        Assert.Single(await usage.ReadAsync("cc_client_a", minute + 1, default));
        await usage.PruneAsync(minute + 1, default);
        Assert.Single(await usage.ReadAsync("cc_client_a", 0, default));
        Assert.Empty(await usage.ReadAsync("cc_client_b", 0, default));
    }

    [Fact]
    public async Task Client_CreateFindUpdateDelete_RoundTrips()
    {
        var secret = NewSecret("sec_1");
        var client = NewClient("cc_client_1", secret) with
        {
            RedirectUris = ["https://partner.example/callback"],
            TokenEndpointAuthMethod = ClientAuthMethods.SecretPost,
        };

        await Clients.CreateAsync(client, AuditOf(AuditActions.ClientCreated, client.ClientId), default);
        var found = await Clients.FindAsync(client.ClientId, default);

        Assert.NotNull(found);
        Assert.Equal("Partner", found.Name);
        Assert.Equal(client.Scopes, found.Scopes);
        Assert.Equal(client.Audiences, found.Audiences);
        Assert.Equal(client.GrantTypes, found.GrantTypes);
        Assert.Equal(client.RedirectUris, found.RedirectUris);
        Assert.Equal(ClientAuthMethods.SecretPost, found.TokenEndpointAuthMethod);
        Assert.Null(found.RateLimitPerSecond);
        Assert.Equal(Now, found.CreatedAt);
        Assert.Null(found.UpdatedAt);
        Assert.Null(found.TokensRevokedBeforeMicroseconds);
        var storedSecret = Assert.Single(found.Secrets);
        Assert.Equal(secret.SecretId, storedSecret.SecretId);
        Assert.Equal(secret.Hash, storedSecret.Hash);
        Assert.Equal(secret.CreatedAt, storedSecret.CreatedAt);
        Assert.Null(storedSecret.RevokedAt);

        var renamed = client with { Name = "Renamed", Scopes = ["payments:write"], RateLimitPerSecond = 5 };
        Assert.True(await Clients.UpdateAsync(renamed, AuditOf(AuditActions.ClientUpdated, client.ClientId), default));
        var updated = await Clients.FindAsync(client.ClientId, default);
        Assert.NotNull(updated);
        Assert.Equal("Renamed", updated.Name);
        Assert.Equal(["payments:write"], updated.Scopes);
        Assert.Equal(5, updated.RateLimitPerSecond);
        Assert.NotNull(updated.UpdatedAt);
        Assert.Single(updated.Secrets);
        Assert.Equal([client.ClientId], (await Clients.LoadAllAsync(default)).Select(c => c.ClientId));

        Assert.False(await Clients.UpdateAsync(renamed with { ClientId = "cc_client_missing" }, AuditOf(AuditActions.ClientUpdated, "x"), default));
        Assert.True(await Clients.DeleteAsync(client.ClientId, new FeedCutOff(1, DateTimeOffset.UtcNow.AddHours(1)), AuditOf(AuditActions.ClientDeleted, client.ClientId), default));
        Assert.Null(await Clients.FindAsync(client.ClientId, default));
        Assert.False(await Clients.DeleteAsync(client.ClientId, new FeedCutOff(1, DateTimeOffset.UtcNow.AddHours(1)), AuditOf(AuditActions.ClientDeleted, client.ClientId), default));
        Assert.Empty(await Clients.LoadAllAsync(default));

        Assert.Equal([AuditActions.ClientCreated, AuditActions.ClientUpdated, AuditActions.ClientDeleted],
            (await Audit.ReadAsync(0, 100, default)).Select(r => r.Entry.Action));
    }

    [Fact]
    public async Task AddSecret_TenConcurrentCallsWithLimitTwo_AddsExactlyTwo()
    {
        // A revoked secret does not count against the limit.
        var client = NewClient("cc_client_1", NewSecret("sec_old") with { RevokedAt = Now });
        await Clients.CreateAsync(client, AuditOf(AuditActions.ClientCreated, client.ClientId), default);

        var results = await AllAtOnceAsync(10, i =>
            Clients.AddSecretAsync(client.ClientId, NewSecret($"sec_{i}"), maxLive: 2, AuditOf(AuditActions.SecretAdded, client.ClientId), default));

        Assert.Equal(2, results.Count(r => r == AddSecretResult.Added));
        Assert.Equal(8, results.Count(r => r == AddSecretResult.TooManyLiveSecrets));
        var stored = await Clients.FindAsync(client.ClientId, default);
        Assert.Equal(2, stored!.LiveSecrets.Count());
        Assert.Equal(3, stored.Secrets.Count);
        Assert.Equal(2, (await Audit.ReadAsync(0, 100, default)).Count(r => r.Entry.Action == AuditActions.SecretAdded));
    }

    [Fact]
    public async Task AddSecret_UnknownClient_ReturnsClientNotFound()
    {
        var result = await Clients.AddSecretAsync("cc_client_missing", NewSecret("sec_1"), 2, AuditOf(AuditActions.SecretAdded, "x"), default);

        Assert.Equal(AddSecretResult.ClientNotFound, result);
        Assert.Empty(await Audit.ReadAsync(0, 100, default));
    }

    [Fact]
    public async Task RevokeSecret_LiveSecret_RevokesItOnceAndFreesItsSlot()
    {
        var client = NewClient("cc_client_1", NewSecret("sec_1"), NewSecret("sec_2"));
        await Clients.CreateAsync(client, AuditOf(AuditActions.ClientCreated, client.ClientId), default);
        var revokedAt = Now.AddMinutes(1);

        Assert.True(await Clients.RevokeSecretAsync(client.ClientId, "sec_1", revokedAt, AuditOf(AuditActions.SecretRevoked, "sec_1"), default));
        Assert.False(await Clients.RevokeSecretAsync(client.ClientId, "sec_1", revokedAt, AuditOf(AuditActions.SecretRevoked, "sec_1"), default));
        Assert.False(await Clients.RevokeSecretAsync(client.ClientId, "sec_missing", revokedAt, AuditOf(AuditActions.SecretRevoked, "x"), default));
        Assert.False(await Clients.RevokeSecretAsync("cc_client_other", "sec_2", revokedAt, AuditOf(AuditActions.SecretRevoked, "x"), default));

        var stored = await Clients.FindAsync(client.ClientId, default);
        Assert.Equal(revokedAt, stored!.Secrets.Single(s => s.SecretId == "sec_1").RevokedAt);
        Assert.Equal(["sec_2"], stored.LiveSecrets.Select(s => s.SecretId));
        Assert.Equal(AddSecretResult.Added,
            await Clients.AddSecretAsync(client.ClientId, NewSecret("sec_3"), 2, AuditOf(AuditActions.SecretAdded, client.ClientId), default));
    }

    [Fact]
    public async Task RevokeAllTokens_ConcurrentCutOffs_KeepsTheLatest()
    {
        var client = NewClient("cc_client_1");
        await Clients.CreateAsync(client, AuditOf(AuditActions.ClientCreated, client.ClientId), default);
        var feedExpiresAt = Now.AddHours(1);

        long[] cutOffs = [3_000, 10_000, 1_000, 7_000, 2_000];

        var results = await AllAtOnceAsync(cutOffs.Length, i =>
            Clients.RevokeAllTokensAsync(client.ClientId, cutOffs[i], feedExpiresAt, AuditOf(AuditActions.TokensRevoked, client.ClientId), default));
        Assert.All(results, added => Assert.True(added));
        // A later call with an earlier cut-off does not move it back.
        Assert.True(await Clients.RevokeAllTokensAsync(client.ClientId, 500, feedExpiresAt, AuditOf(AuditActions.TokensRevoked, client.ClientId), default));

        Assert.Equal(10_000, (await Clients.FindAsync(client.ClientId, default))!.TokensRevokedBeforeMicroseconds);
        Assert.False(await Clients.RevokeAllTokensAsync("cc_client_missing", 1, feedExpiresAt, AuditOf(AuditActions.TokensRevoked, "x"), default));
        var feed = await Revocations.ReadFeedAsync(0, Now, 100, default);
        Assert.Equal(6, feed.Entries.Count);
        Assert.All(feed.Entries, e => Assert.Null(e.Jti));
        Assert.All(feed.Entries, e => Assert.Equal(client.ClientId, e.ClientId));
        Assert.Equal(500, feed.Entries[^1].RevokedBeforeMicroseconds);
        Assert.Equal(feedExpiresAt, feed.Entries[^1].ExpiresAt);
    }

    [Fact]
    public async Task SigningKeyAdd_TenConcurrentCallsWithActivationWindow_AddsExactlyOne()
    {
        var window = new ActivationWindow(Now, DateTimeOffset.MaxValue);

        var results = await AllAtOnceAsync(10, i =>
            Keys.AddAsync(NewKey($"es-{i}", SigningAlgorithms.ES256), window, AuditOf(AuditActions.KeyRotated, $"es-{i}"), default));

        Assert.Equal(1, results.Count(added => added));
        // Another algorithm is not held back; an unconditional add always goes in.
        Assert.True(await Keys.AddAsync(NewKey("rs-1", SigningAlgorithms.RS256), window, AuditOf(AuditActions.KeyRotated, "rs-1"), default));
        Assert.True(await Keys.AddAsync(NewKey("es-manual", SigningAlgorithms.ES256), null, AuditOf(AuditActions.KeyCreated, "es-manual"), default));
        // A window that no key activates in does not stop the add.
        Assert.True(await Keys.AddAsync(NewKey("es-old-window", SigningAlgorithms.ES256),
            new ActivationWindow(Now.AddYears(-2), Now.AddYears(-1)), AuditOf(AuditActions.KeyRotated, "es-old-window"), default));

        var stored = await Keys.LoadAllAsync(default);
        Assert.Equal(4, stored.Count);
        var manual = stored.Single(k => k.Kid == "es-manual");
        Assert.Equal(SigningAlgorithms.ES256, manual.Algorithm);
        Assert.Equal(NewKey("es-manual", SigningAlgorithms.ES256).EncryptedPrivateKey, manual.EncryptedPrivateKey);
        Assert.Equal(Now, manual.CreatedAt);
        Assert.Equal(Now.AddDays(1), manual.ActivatesAt);
        Assert.Null(manual.RevokedAt);

        Assert.True(await Keys.RevokeAsync("es-manual", Now.AddMinutes(5), AuditOf(AuditActions.KeyRevoked, "es-manual"), default));
        Assert.False(await Keys.RevokeAsync("es-manual", Now.AddMinutes(6), AuditOf(AuditActions.KeyRevoked, "es-manual"), default));
        Assert.False(await Keys.RevokeAsync("missing", Now, AuditOf(AuditActions.KeyRevoked, "missing"), default));
        Assert.Equal(Now.AddMinutes(5), (await Keys.LoadAllAsync(default)).Single(k => k.Kid == "es-manual").RevokedAt);
    }

    [Fact]
    public async Task RevocationFeed_Pages_InOrderWithCursorHasMoreAndExpiry()
    {
        var expires = Now.AddHours(1);
        foreach (var jti in new[] { "jti-1", "jti-2" }) await Revocations.AddAsync(new RevokedToken(jti, "cc_client_1", expires, Now), default);
        await Revocations.AddAsync(new RevokedToken("jti-expired", "cc_client_1", Now.AddMinutes(-1), Now.AddHours(-1)), default);
        foreach (var jti in new[] { "jti-3", "jti-4", "jti-5" }) await Revocations.AddAsync(new RevokedToken(jti, "cc_client_1", expires, Now), default);
        // Revoking the same token twice is one entry.
        await Revocations.AddAsync(new RevokedToken("jti-1", "cc_client_1", expires, Now), default);

        var page1 = await Revocations.ReadFeedAsync(0, Now, 2, default);
        var page2 = await Revocations.ReadFeedAsync(page1.Cursor, Now, 2, default);
        var page3 = await Revocations.ReadFeedAsync(page2.Cursor, Now, 2, default);
        var page4 = await Revocations.ReadFeedAsync(page3.Cursor, Now, 2, default);

        Assert.Equal(["jti-1", "jti-2"], page1.Entries.Select(e => e.Jti));
        Assert.True(page1.HasMore);
        Assert.Equal(page1.Entries[^1].Sequence, page1.Cursor);
        Assert.Equal(["jti-3", "jti-4"], page2.Entries.Select(e => e.Jti)); // the expired one is skipped
        Assert.True(page2.HasMore);
        Assert.Equal(["jti-5"], page3.Entries.Select(e => e.Jti));
        Assert.False(page3.HasMore);
        Assert.Equal(page3.Entries[^1].Sequence, page3.Cursor);
        Assert.Empty(page4.Entries);
        Assert.False(page4.HasMore);
        Assert.Equal(page3.Cursor, page4.Cursor);
        var sequences = page1.Entries.Concat(page2.Entries).Concat(page3.Entries).Select(e => e.Sequence).ToArray();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(sequences.Length, sequences.Distinct().Count());
        Assert.All(page1.Entries, e => Assert.Equal(expires, e.ExpiresAt));

        // Once everything has expired the feed is empty, but its cursor still moves to the end.
        var later = await Revocations.ReadFeedAsync(0, Now.AddHours(2), 10, default);
        Assert.Empty(later.Entries);
        Assert.Equal(page3.Cursor, later.Cursor);

        Assert.Equal(Now.AddMinutes(-1), (await Revocations.FindAsync("jti-expired", default))!.ExpiresAt);
        Assert.Null(await Revocations.FindAsync("jti-missing", default));
        Assert.Equal(["jti-1", "jti-2", "jti-3", "jti-4", "jti-5"],
            (await Revocations.LoadUnexpiredAsync(Now, default)).Select(t => t.Jti).Order());

        Assert.Equal(1, await Revocations.PruneExpiredAsync(Now, default));
        Assert.Null(await Revocations.FindAsync("jti-expired", default));
        // Pruning keeps the newest row, so the cursor never goes backwards.
        Assert.Equal(4, await Revocations.PruneExpiredAsync(Now.AddHours(2), default));
        Assert.Equal(page3.Cursor, (await Revocations.ReadFeedAsync(0, Now.AddHours(2), 10, default)).Cursor);
    }

    [Fact]
    public async Task ChangeFeed_Writes_AppearInOrder()
    {
        Assert.Equal(0, await Changes.LatestAsync(default));
        await Changes.PingAsync(default);

        await Clients.CreateAsync(NewClient("cc_client_1"), AuditOf(AuditActions.ClientCreated, "cc_client_1"), default);
        await Keys.AddAsync(NewKey("es-1", SigningAlgorithms.ES256), null, AuditOf(AuditActions.KeyCreated, "es-1"), default);
        await Revocations.AddAsync(new RevokedToken("jti-1", "cc_client_1", Now.AddHours(1), Now), default);
        await Clients.DeleteAsync("cc_client_1", new FeedCutOff(1, DateTimeOffset.UtcNow.AddHours(1)), AuditOf(AuditActions.ClientDeleted, "cc_client_1"), default);

        var changes = await Changes.ReadSinceAsync(0, default);

        Assert.NotNull(changes);
        Assert.Equal([(Change.Client, "cc_client_1"), (Change.Key, "es-1"), (Change.Revocation, "jti-1"), (Change.Client, "cc_client_1")],
            changes.Select(c => (c.Kind, c.Id)));
        Assert.Equal(changes.Select(c => c.Sequence).Order(), changes.Select(c => c.Sequence));
        Assert.Equal(changes[^1].Sequence, await Changes.LatestAsync(default));
        Assert.Equal([(Change.Revocation, "jti-1"), (Change.Client, "cc_client_1")],
            (await Changes.ReadSinceAsync(changes[1].Sequence, default))!.Select(c => (c.Kind, c.Id)));
        Assert.Empty((await Changes.ReadSinceAsync(changes[^1].Sequence, default))!);

        // Pruned past a reader's position: null tells it to reload everything. The newest row stays.
        await Changes.PruneAsync(DateTimeOffset.UtcNow.AddDays(1), default);
        Assert.Null(await Changes.ReadSinceAsync(0, default));
        Assert.Equal(changes[^1].Sequence, await Changes.LatestAsync(default));
        Assert.Empty((await Changes.ReadSinceAsync(changes[^1].Sequence, default))!);
    }

    [Fact]
    public async Task Feeds_ConcurrentWritersAndAPoller_PollerSeesEveryRowOnce()
    {
        const int Writers = 4, PerWriter = 25;
        var expected = Enumerable.Range(0, Writers).SelectMany(w => Enumerable.Range(0, PerWriter).Select(i => $"jti-{w}-{i}")).ToHashSet();
        var fromRevocationFeed = new List<string>();
        var fromChangeFeed = new List<string>();
        long revocationCursor = 0, changeCursor = 0;

        async Task PollOnceAsync()
        {
            RevocationFeedPage page;
            do
            {
                page = await Revocations.ReadFeedAsync(revocationCursor, Now, 7, default);
                fromRevocationFeed.AddRange(page.Entries.Select(e => e.Jti!));
                revocationCursor = page.Cursor;
            } while (page.HasMore);
            foreach (var change in (await Changes.ReadSinceAsync(changeCursor, default))!)
            {
                fromChangeFeed.Add(change.Id);
                changeCursor = change.Sequence;
            }
        }

        var writers = Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < PerWriter; i++)
                await Revocations.AddAsync(new RevokedToken($"jti-{w}-{i}", "cc_client_1", Now.AddHours(1), Now), default);
        })));
        while (!writers.IsCompleted) await PollOnceAsync();
        await writers;
        await PollOnceAsync();

        Assert.Equal(expected.Count, fromRevocationFeed.Count);
        Assert.Equal(expected, fromRevocationFeed.ToHashSet());
        Assert.Equal(expected.Count, fromChangeFeed.Count);
        Assert.Equal(expected, fromChangeFeed.ToHashSet());
    }

    [Fact]
    public async Task AuditLog_UpdateOrDeleteViaRawSql_FailsAndLeavesTheEntry()
    {
        var entry = new AuditEntry(Now, "admin", AuditActions.KeyRotated, "es-1", "10.0.0.1", "{\"reason\":\"test\"}");
        await Audit.AppendAsync(entry, default);
        await Audit.AppendAsync(entry with { Actor = "system", SourceAddress = null, Details = null }, default);

        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteRawSqlAsync("UPDATE audit_log SET actor = 'mallory'"));
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteRawSqlAsync("DELETE FROM audit_log"));

        var records = await Audit.ReadAsync(0, 100, default);
        Assert.Equal(2, records.Count);
        Assert.Equal(entry, records[0].Entry);
        Assert.Null(records[1].Entry.SourceAddress);
        Assert.Equal([records[1]], await Audit.ReadAsync(records[0].Id, 100, default));
        Assert.Equal([records[0]], await Audit.ReadAsync(0, 1, default));
    }

    /// Runs `count` calls as nearly at once as possible: connections opened beforehand, then released together,
    /// so a check-then-insert that is not atomic shows up as a lost race.
    private async Task<T[]> AllAtOnceAsync<T>(int count, Func<int, Task<T>> call)
    {
        await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Task.Run(() => Changes.PingAsync(default))));
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await call(i);
        })).ToArray();
        start.SetResult();
        return await Task.WhenAll(calls);
    }

    private static Client NewClient(string clientId, params ClientSecret[] secrets) =>
        new(clientId, "Partner", ["payments:read", "payments:write"], ["partner/v1"], [GrantTypes.ClientCredentials], null, Now, secrets);

    private static ClientSecret NewSecret(string secretId) => new(secretId, RandomNumberGenerator.GetBytes(32), Now, null, null);

    private static StoredSigningKey NewKey(string kid, string algorithm) =>
        new(kid, algorithm, System.Text.Encoding.UTF8.GetBytes("encrypted:" + kid), Now, Now.AddDays(1), null);

    private static AuditEntry AuditOf(string action, string target) => new(Now, "test", action, target, "127.0.0.1");
}

public sealed class SqliteStoreContractTests : StoreContractTests
{
    private readonly string _directory = TestDirectories.Create();

    private protected override Task<Dictionary<string, string?>> CreateStoreAsync() => Task.FromResult(new Dictionary<string, string?>
    {
        ["Gatehouse:DataDirectory"] = _directory,
        ["Gatehouse:Storage:Provider"] = "sqlite",
    });

    private protected override Task DropStoreAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestDirectories.Delete(_directory);
        return Task.CompletedTask;
    }

    private protected override async Task ExecuteRawSqlAsync(string sql)
    {
        var database = Get<SqliteDatabase>();
        await using var connection = await database.OpenAsync(default);
        await database.ExecuteAsync(connection, null, sql, default);
    }
}

/// Needs a PostgreSQL server: GATEHOUSE_TEST_POSTGRES is a connection string for a role that may create
/// databases (`.ci/postgres.sh` starts one and prints it). Each test creates its own database and drops it.
public sealed class PostgresStoreContractTests : StoreContractTests
{
    private readonly string _database = TestBackends.NewDatabaseName("gatehouse_test");
    private string? _connectionString;

    private protected override async Task<Dictionary<string, string?>> CreateStoreAsync()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(TestBackends.PostgresVariable)))
        {
            // Never skipped: a store nobody tests is a store that breaks unnoticed.
            Assert.Fail(Environment.GetEnvironmentVariable("CI") == "true"
                ? $"{TestBackends.PostgresVariable} is not set in CI. .ci/run must start PostgreSQL first: " +
                  $"export {TestBackends.PostgresVariable}=\"$(bash .ci/postgres.sh)\""
                : $"{TestBackends.PostgresVariable} is not set. Run ./test.sh (it starts PostgreSQL), or as root: " +
                  $"export {TestBackends.PostgresVariable}=\"$(bash .ci/postgres.sh)\"");
        }
        _connectionString = await TestBackends.CreateDatabaseAsync(_database);
        return new Dictionary<string, string?>
        {
            ["Gatehouse:DataDirectory"] = Path.Combine(Path.GetTempPath(), "gatehouse-tests", _database), // never created: no SQLite, no root key
            ["Gatehouse:Storage:Provider"] = "postgres",
            ["Gatehouse:Storage:ConnectionString"] = _connectionString,
        };
    }

    private protected override Task DropStoreAsync() =>
        _connectionString is null ? Task.CompletedTask : TestBackends.DropDatabaseAsync(_database);

    private protected override async Task ExecuteRawSqlAsync(string sql)
    {
        await using var command = Get<PostgresDatabase>().DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Migrate_SeveralNodesAtOnce_AppliesEachVersionOnce()
    {
        var nodes = Enumerable.Range(0, 4).Select(_ => new PostgresDatabase(_connectionString!)).ToArray();
        try
        {
            var versions = await Task.WhenAll(nodes.Select(node => Task.Run(() => node.MigrateAsync(default))));

            Assert.All(versions, v => Assert.Equal(PostgresDatabase.LatestVersion, v));
            await using var count = nodes[0].DataSource.CreateCommand("SELECT COUNT(*), MAX(version) FROM schema_version");
            await using var reader = await count.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(PostgresDatabase.LatestVersion, reader.GetInt64(0));
            Assert.Equal(PostgresDatabase.LatestVersion, reader.GetInt32(1));
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task AuditLog_Truncate_Fails()
    {
        await Audit.AppendAsync(new AuditEntry(DateTimeOffset.UtcNow, "admin", AuditActions.KeyRotated, "es-1", null), default);

        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteRawSqlAsync("TRUNCATE audit_log"));
        Assert.Single(await Audit.ReadAsync(0, 10, default));
    }
}

public sealed class PostgresConnectionStringTests
{
    [Fact]
    public void WithDefaults_NoTimeouts_FailsFastWithPoolingOn()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresDatabase.WithDefaults("Host=db;Username=gatehouse;Password=x"));

        Assert.Equal(3, builder.Timeout);
        Assert.Equal(5, builder.CommandTimeout);
        Assert.True(builder.Pooling);
        Assert.Equal("db", builder.Host);
    }

    [Theory]
    [InlineData("Host=db;Timeout=10;Command Timeout=20")]
    [InlineData("Host=db;timeout=10;CommandTimeout=20")]
    public void WithDefaults_OperatorTimeouts_AreKept(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresDatabase.WithDefaults(connectionString));

        Assert.Equal(10, builder.Timeout);
        Assert.Equal(20, builder.CommandTimeout);
    }
}
