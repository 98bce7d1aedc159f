using Gatehouse.Server.Clients;
using Npgsql;
using static Gatehouse.Server.Storage.Postgres.PostgresValues;

namespace Gatehouse.Server.Storage.Postgres;

internal sealed class PostgresClientStore(PostgresDatabase database, TimeProvider clock) : IClientStore
{
    private const string SelectClients =
        "SELECT client_id, name, scopes, audiences, grant_types, redirect_uris, auth_method, rate_limit, " +
        "tokens_revoked_before_us, created_at, updated_at FROM clients";
    private const string SelectSecrets =
        "SELECT client_id, secret_id, hash, created_at, last_used_at, revoked_at FROM client_secrets";

    public Task<IReadOnlyList<Client>> LoadAllAsync(CancellationToken ct) =>
        InSnapshotAsync<IReadOnlyList<Client>>(database, async (connection, transaction) =>
        {
            var secrets = await ReadSecretsAsync(Command(connection, SelectSecrets, transaction), ct);
            return await ReadClientsAsync(Command(connection, SelectClients + " ORDER BY created_at, client_id", transaction), secrets, ct);
        }, ct);

    public Task<Client?> FindAsync(string clientId, CancellationToken ct) =>
        InSnapshotAsync(database, (connection, transaction) => FindAsync(connection, transaction, clientId, ct), ct);

    public Task CreateAsync(Client client, AuditEntry audit, CancellationToken ct) =>
        InTransactionAsync(database, async (connection, transaction) =>
        {
            await ExecuteAsync(connection, transaction,
                "INSERT INTO clients(client_id, name, scopes, audiences, grant_types, redirect_uris, auth_method, rate_limit, created_at) " +
                "VALUES (@id, @name, @scopes, @audiences, @grants, @redirects, @auth, @limit, @created)", ct,
                [.. RegistrationParameters(client), ("created", client.CreatedAt)]);
            foreach (var secret in client.Secrets) await InsertSecretAsync(connection, transaction, client.ClientId, secret, ct);
            await FinishAsync(connection, transaction, client.ClientId, audit, ct);
            return (true, true);
        }, ct);

    public Task<bool> UpdateAsync(Client client, AuditEntry audit, CancellationToken ct) =>
        InTransactionAsync(database, async (connection, transaction) =>
        {
            var updated = await ExecuteAsync(connection, transaction,
                "UPDATE clients SET name = @name, scopes = @scopes, audiences = @audiences, grant_types = @grants, " +
                "redirect_uris = @redirects, auth_method = @auth, rate_limit = @limit, updated_at = @updated WHERE client_id = @id", ct,
                [.. RegistrationParameters(client), ("updated", clock.GetUtcNow())]);
            if (updated == 0) return (false, false);
            await FinishAsync(connection, transaction, client.ClientId, audit, ct);
            return (true, true);
        }, ct);

    public Task<bool> DeleteAsync(string clientId, FeedCutOff cutOff, AuditEntry audit, CancellationToken ct) =>
        InTransactionAsync(database, async (connection, transaction) =>
        {
            if (await ExecuteAsync(connection, transaction, "DELETE FROM clients WHERE client_id = @id", ct, ("id", clientId)) == 0)
                return (false, false);
            await LockFeedAsync(connection, transaction, ct);
            await ExecuteAsync(connection, transaction,
                "INSERT INTO revocations(client_id, jti, revoked_before_us, expires_at, revoked_at) VALUES (@id, NULL, @before, @expires, @at)", ct,
                ("id", clientId), ("before", cutOff.RevokedBeforeMicroseconds), ("expires", cutOff.FeedExpiresAt), ("at", audit.At));
            await FinishAsync(connection, transaction, clientId, audit, ct);
            return (true, true);
        }, ct);

    public Task<AddSecretResult> AddSecretAsync(string clientId, ClientSecret secret, int maxLive, AuditEntry audit, CancellationToken ct) =>
        InTransactionAsync(database, async (connection, transaction) =>
        {
            // The client row's lock makes count-then-insert atomic across nodes: a concurrent AddSecretAsync for
            // this client waits here, then counts (with a fresh snapshot) the secret this one added.
            await using (var exists = Command(connection, "SELECT 1 FROM clients WHERE client_id = @id FOR UPDATE", transaction, ("id", clientId)))
            {
                if (await exists.ExecuteScalarAsync(ct) is null) return (false, AddSecretResult.ClientNotFound);
            }
            await using (var live = Command(connection,
                "SELECT COUNT(*) FROM client_secrets WHERE client_id = @id AND revoked_at IS NULL", transaction, ("id", clientId)))
            {
                if (Convert.ToInt64(await live.ExecuteScalarAsync(ct)) >= maxLive) return (false, AddSecretResult.TooManyLiveSecrets);
            }
            await InsertSecretAsync(connection, transaction, clientId, secret, ct);
            await FinishAsync(connection, transaction, clientId, audit, ct);
            return (true, AddSecretResult.Added);
        }, ct);

    public Task<bool> RevokeSecretAsync(string clientId, string secretId, DateTimeOffset revokedAt, AuditEntry audit, CancellationToken ct) =>
        InTransactionAsync(database, async (connection, transaction) =>
        {
            var revoked = await ExecuteAsync(connection, transaction,
                "UPDATE client_secrets SET revoked_at = @at WHERE client_id = @client AND secret_id = @id AND revoked_at IS NULL", ct,
                ("client", clientId), ("id", secretId), ("at", revokedAt));
            if (revoked == 0) return (false, false);
            await FinishAsync(connection, transaction, clientId, audit, ct);
            return (true, true);
        }, ct);

    public Task<bool> RevokeAllTokensAsync(string clientId, long revokedBeforeMicroseconds, DateTimeOffset feedExpiresAt,
        AuditEntry audit, CancellationToken ct) =>
        InTransactionAsync(database, async (connection, transaction) =>
        {
            // An UPDATE re-reads the newest row version, so of two concurrent cut-offs the later one stays.
            var updated = await ExecuteAsync(connection, transaction,
                "UPDATE clients SET tokens_revoked_before_us = GREATEST(COALESCE(tokens_revoked_before_us, 0), @before) WHERE client_id = @id", ct,
                ("id", clientId), ("before", revokedBeforeMicroseconds));
            if (updated == 0) return (false, false);
            await LockFeedAsync(connection, transaction, ct);
            await ExecuteAsync(connection, transaction,
                "INSERT INTO revocations(client_id, jti, revoked_before_us, expires_at, revoked_at) VALUES (@id, NULL, @before, @expires, @at)", ct,
                ("id", clientId), ("before", revokedBeforeMicroseconds), ("expires", feedExpiresAt), ("at", audit.At));
            await FinishAsync(connection, transaction, clientId, audit, ct);
            return (true, true);
        }, ct);

    /// Off the hot path: a batch every half minute. Not a change-feed event (nothing a node serves depends on it).
    public Task RecordSecretUsageAsync(IReadOnlyCollection<SecretUsage> usages, CancellationToken ct)
    {
        if (usages.Count == 0) return Task.CompletedTask;
        return InTransactionAsync(database, async (connection, transaction) =>
        {
            foreach (var usage in usages)
            {
                await ExecuteAsync(connection, transaction,
                    "UPDATE client_secrets SET last_used_at = @at WHERE secret_id = @id AND (last_used_at IS NULL OR last_used_at < @at)", ct,
                    ("id", usage.SecretId), ("at", usage.LastUsedAt));
            }
            return (true, true);
        }, ct);
    }

    private static (string, object?)[] RegistrationParameters(Client client) =>
    [
        ("id", client.ClientId), ("name", client.Name), ("scopes", string.Join(' ', client.Scopes)),
        ("audiences", string.Join(' ', client.Audiences)), ("grants", string.Join(' ', client.GrantTypes)),
        ("redirects", string.Join(' ', client.RedirectUris)), ("auth", client.TokenEndpointAuthMethod),
        ("limit", client.RateLimitPerSecond),
    ];

    private async Task FinishAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string clientId, AuditEntry audit, CancellationToken ct)
    {
        await AppendAuditAsync(connection, transaction, audit, ct);
        await AppendChangeAsync(connection, transaction, Change.Client, clientId, clock.GetUtcNow(), ct);
    }

    private static async Task InsertSecretAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string clientId,
        ClientSecret secret, CancellationToken ct) =>
        await ExecuteAsync(connection, transaction,
            "INSERT INTO client_secrets(secret_id, client_id, hash, created_at, last_used_at, revoked_at) " +
            "VALUES (@id, @client, @hash, @created, @used, @revoked)", ct,
            ("id", secret.SecretId), ("client", clientId), ("hash", secret.Hash),
            ("created", secret.CreatedAt), ("used", secret.LastUsedAt), ("revoked", secret.RevokedAt));

    private static async Task<Client?> FindAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string clientId, CancellationToken ct)
    {
        var secrets = await ReadSecretsAsync(Command(connection, SelectSecrets + " WHERE client_id = @id", transaction, ("id", clientId)), ct);
        var clients = await ReadClientsAsync(Command(connection, SelectClients + " WHERE client_id = @id", transaction, ("id", clientId)), secrets, ct);
        return clients.Count == 0 ? null : clients[0];
    }

    private static async Task<ILookup<string, ClientSecret>> ReadSecretsAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var _ = command;
        var rows = new List<(string ClientId, ClientSecret Secret)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add((reader.GetString(0), new ClientSecret(
                reader.GetString(1), reader.GetFieldValue<byte[]>(2), GetInstant(reader, 3),
                GetInstantOrNull(reader, 4), GetInstantOrNull(reader, 5))));
        }
        return rows.OrderBy(r => r.Secret.CreatedAt).ThenBy(r => r.Secret.SecretId)
            .ToLookup(r => r.ClientId, r => r.Secret);
    }

    private static async Task<List<Client>> ReadClientsAsync(NpgsqlCommand command, ILookup<string, ClientSecret> secrets, CancellationToken ct)
    {
        await using var _ = command;
        var clients = new List<Client>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetString(0);
            clients.Add(new Client(
                id, reader.GetString(1),
                GatehouseOptions.Split(reader.GetString(2)), GatehouseOptions.Split(reader.GetString(3)),
                GatehouseOptions.Split(reader.GetString(4)),
                reader.IsDBNull(7) ? null : reader.GetInt32(7),
                GetInstant(reader, 9),
                secrets[id].ToArray())
            {
                RedirectUris = GatehouseOptions.Split(reader.GetString(5)),
                TokenEndpointAuthMethod = reader.GetString(6),
                TokensRevokedBeforeMicroseconds = reader.IsDBNull(8) ? null : reader.GetInt64(8),
                UpdatedAt = GetInstantOrNull(reader, 10),
            });
        }
        return clients;
    }
}
