using System.Data.Common;
using Gatehouse.Server.Clients;

namespace Gatehouse.Server.Storage.Relational;

internal sealed class RelationalClientStore(RelationalDatabase database, TimeProvider clock) : IClientStore
{
    private const string SelectClients =
        "SELECT client_id, name, scopes, audiences, grant_types, redirect_uris, auth_method, rate_limit, " +
        "tokens_revoked_before_us, created_at, updated_at, post_logout_redirect_uris, require_consent, id_token_alg, team, resource_server, " +
        "auth_method_explicit FROM clients";
    private const string SelectSecrets =
        "SELECT client_id, secret_id, hash, created_at, last_used_at, revoked_at FROM client_secrets";

    public Task<IReadOnlyList<Client>> LoadAllAsync(CancellationToken ct) =>
        database.InSnapshotAsync<IReadOnlyList<Client>>(async (connection, transaction) =>
        {
            var secrets = await ReadSecretsAsync(database.Command(connection, SelectSecrets, transaction), ct);
            return await ReadClientsAsync(database.Command(connection, SelectClients + " ORDER BY created_at, client_id", transaction), secrets, ct);
        }, ct);

    public Task<Client?> FindAsync(string clientId, CancellationToken ct) =>
        database.InSnapshotAsync(async (connection, transaction) =>
        {
            var secrets = await ReadSecretsAsync(database.Command(connection, SelectSecrets + " WHERE client_id = @id", transaction, ("id", clientId)), ct);
            var clients = await ReadClientsAsync(database.Command(connection, SelectClients + " WHERE client_id = @id", transaction, ("id", clientId)), secrets, ct);
            return clients.Count == 0 ? null : clients[0];
        }, ct);

    public Task CreateAsync(Client client, AuditEntry audit, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            await database.ExecuteAsync(connection, transaction,
                "INSERT INTO clients(client_id, name, scopes, audiences, grant_types, redirect_uris, auth_method, rate_limit, created_at, " +
                "post_logout_redirect_uris, require_consent, id_token_alg, team, resource_server, auth_method_explicit) " +
                "VALUES (@id, @name, @scopes, @audiences, @grants, @redirects, @auth, @limit, @created, @logout, @consent, @idalg, @team, @rs, @explicit)", ct,
                [.. RegistrationParameters(client), ("created", client.CreatedAt)]);
            foreach (var secret in client.Secrets) await InsertSecretAsync(connection, transaction, client.ClientId, secret, ct);
            await FinishAsync(connection, transaction, client.ClientId, audit, ct);
            return (true, true);
        }, ct);

    public Task<bool> UpdateAsync(Client client, AuditEntry audit, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            var updated = await database.ExecuteAsync(connection, transaction,
                "UPDATE clients SET name = @name, scopes = @scopes, audiences = @audiences, grant_types = @grants, " +
                "redirect_uris = @redirects, auth_method = @auth, rate_limit = @limit, updated_at = @updated, post_logout_redirect_uris = @logout, " +
                "require_consent = @consent, id_token_alg = @idalg, team = @team, resource_server = @rs, auth_method_explicit = @explicit WHERE client_id = @id", ct,
                [.. RegistrationParameters(client), ("updated", clock.GetUtcNow())]);
            if (updated == 0) return (false, false);
            await FinishAsync(connection, transaction, client.ClientId, audit, ct);
            return (true, true);
        }, ct);

    public Task<bool> DeleteAsync(string clientId, FeedCutOff cutOff, AuditEntry audit, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            if (await database.ExecuteAsync(connection, transaction, "DELETE FROM clients WHERE client_id = @id", ct, ("id", clientId)) == 0)
                return (false, false);
            await InsertCutOffAsync(connection, transaction, clientId, cutOff, audit.At, ct);
            await FinishAsync(connection, transaction, clientId, audit, ct);
            return (true, true);
        }, ct);

    public Task<AddSecretResult> AddSecretAsync(string clientId, ClientSecret secret, int maxLive, AuditEntry audit, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            // Locking the client row makes count-then-insert atomic across nodes: a concurrent AddSecretAsync for
            // this client waits here, then counts the secret this one added.
            if (await database.ScalarAsync(connection, transaction, "SELECT 1 FROM clients WHERE client_id = @id" + database.ForUpdate, ct,
                    ("id", clientId)) is null)
                return (false, AddSecretResult.ClientNotFound);
            var live = Convert.ToInt64(await database.ScalarAsync(connection, transaction,
                "SELECT COUNT(*) FROM client_secrets WHERE client_id = @id AND revoked_at IS NULL", ct, ("id", clientId)));
            if (live >= maxLive) return (false, AddSecretResult.TooManyLiveSecrets);
            await InsertSecretAsync(connection, transaction, clientId, secret, ct);
            await FinishAsync(connection, transaction, clientId, audit, ct);
            return (true, AddSecretResult.Added);
        }, ct);

    public Task<bool> RevokeSecretAsync(string clientId, string secretId, DateTimeOffset revokedAt, AuditEntry audit, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            var revoked = await database.ExecuteAsync(connection, transaction,
                "UPDATE client_secrets SET revoked_at = @at WHERE client_id = @client AND secret_id = @id AND revoked_at IS NULL", ct,
                ("client", clientId), ("id", secretId), ("at", revokedAt));
            if (revoked == 0) return (false, false);
            await FinishAsync(connection, transaction, clientId, audit, ct);
            return (true, true);
        }, ct);

    public Task<bool> RevokeAllTokensAsync(string clientId, long revokedBeforeMicroseconds, DateTimeOffset feedExpiresAt,
        AuditEntry audit, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            // An UPDATE reads the newest row version, so of two concurrent cut-offs the later one stays.
            var updated = await database.ExecuteAsync(connection, transaction,
                $"UPDATE clients SET tokens_revoked_before_us = {database.Greatest}(COALESCE(tokens_revoked_before_us, 0), @before) " +
                "WHERE client_id = @id", ct, ("id", clientId), ("before", revokedBeforeMicroseconds));
            if (updated == 0) return (false, false);
            await InsertCutOffAsync(connection, transaction, clientId, new FeedCutOff(revokedBeforeMicroseconds, feedExpiresAt), audit.At, ct);
            await FinishAsync(connection, transaction, clientId, audit, ct);
            return (true, true);
        }, ct);

    /// Off the hot path: a batch every half minute. Not a change-feed event (nothing a node serves depends on it).
    public Task RecordSecretUsageAsync(IReadOnlyCollection<SecretUsage> usages, CancellationToken ct)
    {
        if (usages.Count == 0) return Task.CompletedTask;
        return database.InTransactionAsync(async (connection, transaction) =>
        {
            foreach (var usage in usages)
            {
                await database.ExecuteAsync(connection, transaction,
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
        ("limit", client.RateLimitPerSecond), ("logout", string.Join(' ', client.PostLogoutRedirectUris)),
        ("consent", client.RequireConsent ? 1 : 0), ("idalg", client.IdTokenSignedResponseAlg), ("team", client.Team),
        ("rs", client.ResourceServer ? 1 : 0), ("explicit", client.AuthMethodExplicit ? 1 : 0),
    ];

    private async Task FinishAsync(DbConnection connection, DbTransaction transaction, string clientId, AuditEntry audit, CancellationToken ct)
    {
        await database.AppendAuditAsync(connection, transaction, audit, ct);
        await database.AppendChangeAsync(connection, transaction, Change.Client, clientId, clock.GetUtcNow(), ct);
    }

    private async Task InsertCutOffAsync(DbConnection connection, DbTransaction transaction, string clientId, FeedCutOff cutOff,
        DateTimeOffset at, CancellationToken ct)
    {
        await database.LockFeedsAsync(connection, transaction, ct);
        await database.ExecuteAsync(connection, transaction,
            "INSERT INTO revocations(client_id, jti, revoked_before_us, expires_at, revoked_at) VALUES (@id, NULL, @before, @expires, @at)", ct,
            ("id", clientId), ("before", cutOff.RevokedBeforeMicroseconds), ("expires", cutOff.FeedExpiresAt), ("at", at));
    }

    private Task InsertSecretAsync(DbConnection connection, DbTransaction transaction, string clientId, ClientSecret secret, CancellationToken ct) =>
        database.ExecuteAsync(connection, transaction,
            "INSERT INTO client_secrets(secret_id, client_id, hash, created_at, last_used_at, revoked_at) " +
            "VALUES (@id, @client, @hash, @created, @used, @revoked)", ct,
            ("id", secret.SecretId), ("client", clientId), ("hash", secret.Hash),
            ("created", secret.CreatedAt), ("used", secret.LastUsedAt), ("revoked", secret.RevokedAt));

    private async Task<ILookup<string, ClientSecret>> ReadSecretsAsync(DbCommand command, CancellationToken ct)
    {
        await using var _ = command;
        var rows = new List<(string ClientId, ClientSecret Secret)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add((reader.GetString(0), new ClientSecret(
                reader.GetString(1), reader.GetFieldValue<byte[]>(2), database.ReadTime(reader, 3),
                database.ReadTimeOrNull(reader, 4), database.ReadTimeOrNull(reader, 5))));
        }
        return rows.OrderBy(r => r.Secret.CreatedAt).ThenBy(r => r.Secret.SecretId).ToLookup(r => r.ClientId, r => r.Secret);
    }

    private async Task<List<Client>> ReadClientsAsync(DbCommand command, ILookup<string, ClientSecret> secrets, CancellationToken ct)
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
                database.ReadTime(reader, 9),
                secrets[id].ToArray())
            {
                RedirectUris = GatehouseOptions.Split(reader.GetString(5)),
                TokenEndpointAuthMethod = reader.GetString(6),
                TokensRevokedBeforeMicroseconds = reader.IsDBNull(8) ? null : reader.GetInt64(8),
                UpdatedAt = database.ReadTimeOrNull(reader, 10),
                PostLogoutRedirectUris = GatehouseOptions.Split(reader.GetString(11)),
                RequireConsent = RelationalDatabase.ReadFlag(reader, 12),
                IdTokenSignedResponseAlg = reader.GetString(13),
                Team = reader.IsDBNull(14) ? null : reader.GetString(14),
                ResourceServer = RelationalDatabase.ReadFlag(reader, 15),
                AuthMethodExplicit = RelationalDatabase.ReadFlag(reader, 16),
            });
        }
        return clients;
    }
}
