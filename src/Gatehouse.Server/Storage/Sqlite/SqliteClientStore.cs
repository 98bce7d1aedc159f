using Gatehouse.Server.Clients;
using Microsoft.Data.Sqlite;
using static Gatehouse.Server.Storage.Sqlite.SqliteValues;

namespace Gatehouse.Server.Storage.Sqlite;

internal sealed class SqliteClientStore(SqliteDatabase database, TimeProvider clock) : IClientStore
{
    private const string SelectClients =
        "SELECT client_id, name, scopes, audiences, grant_types, rate_limit, created_at FROM clients";
    private const string SelectSecrets =
        "SELECT client_id, secret_id, hash, created_at, last_used_at, revoked_at FROM client_secrets";

    public async Task<IReadOnlyList<Client>> LoadAllAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        var secrets = await ReadSecretsAsync(Command(connection, SelectSecrets, transaction), ct);
        var clients = await ReadClientsAsync(Command(connection, SelectClients + " ORDER BY created_at", transaction), secrets, ct);
        return clients;
    }

    public async Task<Client?> FindAsync(string clientId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        var secrets = await ReadSecretsAsync(Command(connection, SelectSecrets + " WHERE client_id = $id", transaction, ("$id", clientId)), ct);
        var clients = await ReadClientsAsync(Command(connection, SelectClients + " WHERE client_id = $id", transaction, ("$id", clientId)), secrets, ct);
        return clients.Count == 0 ? null : clients[0];
    }

    public async Task CreateAsync(Client client, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await using (var insert = Command(connection,
            "INSERT INTO clients(client_id, name, scopes, audiences, grant_types, rate_limit, created_at) " +
            "VALUES ($id, $name, $scopes, $audiences, $grants, $limit, $created)", transaction,
            ("$id", client.ClientId), ("$name", client.Name), ("$scopes", string.Join(' ', client.Scopes)),
            ("$audiences", string.Join(' ', client.Audiences)), ("$grants", string.Join(' ', client.GrantTypes)),
            ("$limit", client.RateLimitPerSecond), ("$created", ToUnixMs(client.CreatedAt))))
        {
            await insert.ExecuteNonQueryAsync(ct);
        }
        foreach (var secret in client.Secrets)
        {
            await using var insertSecret = Command(connection,
                "INSERT INTO client_secrets(secret_id, client_id, hash, created_at, last_used_at, revoked_at) " +
                "VALUES ($id, $client, $hash, $created, $used, $revoked)", transaction,
                ("$id", secret.SecretId), ("$client", client.ClientId), ("$hash", secret.Hash),
                ("$created", ToUnixMs(secret.CreatedAt)), ("$used", ToUnixMsOrNull(secret.LastUsedAt)),
                ("$revoked", ToUnixMsOrNull(secret.RevokedAt)));
            await insertSecret.ExecuteNonQueryAsync(ct);
        }
        await AppendChangeAsync(connection, transaction, Change.Client, client.ClientId, clock.GetUtcNow(), ct);
        await transaction.CommitAsync(ct);
    }

    public async Task<bool> DeleteAsync(string clientId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await using var delete = Command(connection, "DELETE FROM clients WHERE client_id = $id", transaction, ("$id", clientId));
        if (await delete.ExecuteNonQueryAsync(ct) == 0) return false;
        await AppendChangeAsync(connection, transaction, Change.Client, clientId, clock.GetUtcNow(), ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// Off the hot path: a batch every half minute. Not a change-feed event (nothing a node serves depends on it).
    public async Task RecordSecretUsageAsync(IReadOnlyCollection<SecretUsage> usages, CancellationToken ct)
    {
        if (usages.Count == 0) return;
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        foreach (var usage in usages)
        {
            await using var update = Command(connection,
                "UPDATE client_secrets SET last_used_at = $at WHERE secret_id = $id AND (last_used_at IS NULL OR last_used_at < $at)",
                transaction, ("$id", usage.SecretId), ("$at", ToUnixMs(usage.LastUsedAt)));
            await update.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }

    private static async Task<ILookup<string, ClientSecret>> ReadSecretsAsync(SqliteCommand command, CancellationToken ct)
    {
        await using var _ = command;
        var rows = new List<(string ClientId, ClientSecret Secret)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add((reader.GetString(0), new ClientSecret(
                reader.GetString(1), (byte[])reader[2], FromUnixMs(reader.GetInt64(3)),
                FromUnixMsOrNull(reader, 4), FromUnixMsOrNull(reader, 5))));
        }
        return rows.OrderBy(r => r.Secret.CreatedAt).ToLookup(r => r.ClientId, r => r.Secret);
    }

    private static async Task<List<Client>> ReadClientsAsync(SqliteCommand command, ILookup<string, ClientSecret> secrets, CancellationToken ct)
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
                reader.IsDBNull(5) ? null : reader.GetInt32(5),
                FromUnixMs(reader.GetInt64(6)),
                secrets[id].ToArray()));
        }
        return clients;
    }
}
