using System.Data.Common;
using Gatehouse.Server.Grants;

namespace Gatehouse.Server.Storage.Relational;

internal sealed class RelationalGrantStore(RelationalDatabase database) : IGrantStore
{
    /// A redemption of a grant revoked meanwhile loses, like one that came second.
    /// A correlated EXISTS, so both engines look the one grant up by its key (an IN over all live grants made SQLite
    /// scan the grants table on every redemption: 6 grants/s with 200,000 grants, measured by bench/Gatehouse.Bench.SignIn).
    private static string LiveGrant(string table) =>
        $"AND EXISTS (SELECT 1 FROM grants g WHERE g.grant_id = {table}.grant_id AND g.revoked_at IS NULL)";

    private const string GrantColumns =
        "g.grant_id, g.client_id, g.sub, g.scopes, g.audience, g.sid, g.auth_time, g.amr, g.created_at, g.expires_at, g.revoked_at";

    public Task CreateWithCodeAsync(Grant grant, AuthorizationCode code, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            await database.ExecuteAsync(connection, transaction,
                "INSERT INTO grants(grant_id, client_id, sub, scopes, audience, sid, auth_time, amr, created_at, expires_at, revoked_at) " +
                "VALUES (@id, @client, @sub, @scopes, @audience, @sid, @auth, @amr, @created, @expires, NULL)", ct,
                ("id", grant.GrantId), ("client", grant.ClientId), ("sub", grant.Sub), ("scopes", grant.Scope),
                ("audience", grant.Audience), ("sid", grant.Sid), ("auth", grant.AuthTime), ("amr", grant.Amr),
                ("created", grant.CreatedAt), ("expires", grant.ExpiresAt));
            await database.ExecuteAsync(connection, transaction,
                "INSERT INTO authorization_codes(code_hash, grant_id, client_id, redirect_uri, code_challenge, nonce, created_at, expires_at) " +
                "VALUES (@hash, @grant, @client, @redirect, @challenge, @nonce, @created, @expires)", ct,
                ("hash", code.CodeHash), ("grant", code.GrantId), ("client", code.ClientId), ("redirect", code.RedirectUri),
                ("challenge", code.CodeChallenge), ("nonce", code.Nonce), ("created", code.CreatedAt), ("expires", code.ExpiresAt));
            return (true, true);
        }, ct);

    public Task<(AuthorizationCode Code, Grant Grant)?> FindCodeAsync(byte[] codeHash, CancellationToken ct) =>
        database.InSnapshotAsync<(AuthorizationCode, Grant)?>(async (connection, transaction) =>
        {
            await using var command = database.Command(connection,
                "SELECT c.code_hash, c.grant_id, c.client_id, c.redirect_uri, c.code_challenge, c.nonce, c.created_at, c.expires_at, c.consumed_at, " +
                GrantColumns + " FROM authorization_codes c JOIN grants g ON g.grant_id = c.grant_id WHERE c.code_hash = @hash",
                transaction, ("hash", codeHash));
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) return null;
            var code = new AuthorizationCode(reader.GetFieldValue<byte[]>(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), database.ReadTime(reader, 6), database.ReadTime(reader, 7),
                database.ReadTimeOrNull(reader, 8));
            return (code, ReadGrant(reader, 9));
        }, ct);

    public Task<bool> RedeemCodeAsync(byte[] codeHash, DateTimeOffset now, GrantIssue issue, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            // STYLE: one conditional UPDATE; "0 rows" is the lost race.
            var consumed = await database.ExecuteAsync(connection, transaction,
                "UPDATE authorization_codes SET consumed_at = @now WHERE code_hash = @hash AND consumed_at IS NULL " +
                LiveGrant("authorization_codes"), ct,
                ("hash", codeHash), ("now", now));
            if (consumed == 0) return (false, false);
            var grantId = (string)(await database.ScalarAsync(connection, transaction,
                "SELECT grant_id FROM authorization_codes WHERE code_hash = @hash", ct, ("hash", codeHash)))!;
            await RecordIssueAsync(connection, transaction, grantId, issue, ct);
            return (true, true);
        }, ct);

    public Task<(RefreshToken Token, Grant Grant)?> FindRefreshTokenAsync(byte[] tokenHash, CancellationToken ct) =>
        database.InSnapshotAsync<(RefreshToken, Grant)?>(async (connection, transaction) =>
        {
            await using var command = database.Command(connection,
                "SELECT r.token_hash, r.grant_id, r.client_id, r.created_at, r.expires_at, r.used_at, " + GrantColumns +
                " FROM refresh_tokens r JOIN grants g ON g.grant_id = r.grant_id WHERE r.token_hash = @hash", transaction, ("hash", tokenHash));
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) return null;
            var token = new RefreshToken(reader.GetFieldValue<byte[]>(0), reader.GetString(1), reader.GetString(2),
                database.ReadTime(reader, 3), database.ReadTime(reader, 4), database.ReadTimeOrNull(reader, 5));
            return (token, ReadGrant(reader, 6));
        }, ct);

    public Task<bool> RotateRefreshTokenAsync(byte[] tokenHash, DateTimeOffset now, GrantIssue issue, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            var used = await database.ExecuteAsync(connection, transaction,
                "UPDATE refresh_tokens SET used_at = @now WHERE token_hash = @hash AND used_at IS NULL " + LiveGrant("refresh_tokens"), ct,
                ("hash", tokenHash), ("now", now));
            if (used == 0) return (false, false);
            var grantId = (string)(await database.ScalarAsync(connection, transaction,
                "SELECT grant_id FROM refresh_tokens WHERE token_hash = @hash", ct, ("hash", tokenHash)))!;
            await RecordIssueAsync(connection, transaction, grantId, issue, ct);
            return (true, true);
        }, ct);

    public Task<IReadOnlyList<RevokedToken>> RevokeGrantsAsync(GrantSelector which, DateTimeOffset now,
        Func<string, DateTimeOffset, RevokedToken> revocationFor, CancellationToken ct) =>
        database.InTransactionAsync<IReadOnlyList<RevokedToken>>(async (connection, transaction) =>
        {
            var grants = new List<(string GrantId, string ClientId)>();
            await using (var select = database.Command(connection,
                             $"SELECT grant_id, client_id FROM grants WHERE {which.Column} = @key AND revoked_at IS NULL",
                             transaction, ("key", which.Value)))
            await using (var reader = await select.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) grants.Add((reader.GetString(0), reader.GetString(1)));
            if (grants.Count == 0) return (false, []);

            var revoked = new List<RevokedToken>();
            foreach (var (grantId, clientId) in grants)
            {
                await database.ExecuteAsync(connection, transaction, "UPDATE grants SET revoked_at = @now WHERE grant_id = @id", ct,
                    ("id", grantId), ("now", now));
                // Spend every code and refresh token of the grant first: these row locks serialise with a redemption in
                // flight, so one that wins has recorded its access token before the select below reads them.
                await database.ExecuteAsync(connection, transaction,
                    "UPDATE refresh_tokens SET used_at = @now WHERE grant_id = @id AND used_at IS NULL", ct, ("id", grantId), ("now", now));
                await database.ExecuteAsync(connection, transaction,
                    "UPDATE authorization_codes SET consumed_at = @now WHERE grant_id = @id AND consumed_at IS NULL", ct, ("id", grantId), ("now", now));
                var tokens = new List<(string Jti, DateTimeOffset ExpiresAt)>();
                await using (var select = database.Command(connection,
                                 "SELECT jti, expires_at FROM grant_tokens WHERE grant_id = @id AND expires_at > @now", transaction,
                                 ("id", grantId), ("now", now)))
                await using (var reader = await select.ExecuteReaderAsync(ct))
                    while (await reader.ReadAsync(ct)) tokens.Add((reader.GetString(0), database.ReadTime(reader, 1)));
                foreach (var (jti, expiresAt) in tokens)
                {
                    var record = revocationFor(clientId, expiresAt) with { Jti = jti };
                    await database.LockFeedsAsync(connection, transaction, ct);
                    var inserted = await database.ExecuteAsync(connection, transaction,
                        "INSERT INTO revocations(client_id, jti, expires_at, revoked_at) VALUES (@client, @jti, @exp, @at) ON CONFLICT (jti) DO NOTHING", ct,
                        ("jti", record.Jti), ("client", record.ClientId), ("exp", record.ExpiresAt), ("at", record.RevokedAt));
                    if (inserted > 0) await database.AppendChangeAsync(connection, transaction, Change.Revocation, record.Jti, now, ct);
                    revoked.Add(record);
                }
            }
            return (true, revoked);
        }, ct);

    public async Task<IReadOnlyList<string>> FindConsentAsync(string sub, string clientId, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        var scopes = await database.ScalarAsync(connection, null, "SELECT scopes FROM consents WHERE sub = @sub AND client_id = @client", ct,
            ("sub", sub), ("client", clientId));
        return scopes is string text ? OAuth.Scopes.Split(text) : [];
    }

    public Task SaveConsentAsync(string sub, string clientId, IReadOnlyList<string> scopes, DateTimeOffset at, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            await database.ExecuteAsync(connection, transaction,
                "INSERT INTO consents(sub, client_id, scopes, granted_at) VALUES (@sub, @client, @scopes, @at) " +
                "ON CONFLICT (sub, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at", ct,
                ("sub", sub), ("client", clientId), ("scopes", OAuth.Scopes.Join(scopes)), ("at", at));
            return (true, true);
        }, ct);

    public async Task PruneExpiredAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await database.ExecuteAsync(connection, null, "DELETE FROM authorization_codes WHERE expires_at < @now", ct, ("now", now));
        await database.ExecuteAsync(connection, null, "DELETE FROM refresh_tokens WHERE expires_at < @now", ct, ("now", now));
        await database.ExecuteAsync(connection, null, "DELETE FROM grant_tokens WHERE expires_at < @now", ct, ("now", now));
        await database.ExecuteAsync(connection, null,
            "DELETE FROM refresh_tokens WHERE grant_id IN (SELECT grant_id FROM grants WHERE expires_at < @now)", ct, ("now", now));
        await database.ExecuteAsync(connection, null, "DELETE FROM grants WHERE expires_at < @now", ct, ("now", now));
    }

    private async Task RecordIssueAsync(DbConnection connection, DbTransaction transaction, string grantId, GrantIssue issue, CancellationToken ct)
    {
        await database.ExecuteAsync(connection, transaction,
            "INSERT INTO grant_tokens(jti, grant_id, expires_at) VALUES (@jti, @grant, @exp)", ct,
            ("jti", issue.Jti), ("grant", grantId), ("exp", issue.AccessTokenExpiresAt));
        if (issue.NextRefreshToken is { } next)
        {
            await database.ExecuteAsync(connection, transaction,
                "INSERT INTO refresh_tokens(token_hash, grant_id, client_id, created_at, expires_at) VALUES (@hash, @grant, @client, @created, @expires)", ct,
                ("hash", next.TokenHash), ("grant", grantId), ("client", next.ClientId), ("created", next.CreatedAt), ("expires", next.ExpiresAt));
        }
    }

    private Grant ReadGrant(DbDataReader reader, int first) => new(
        reader.GetString(first), reader.GetString(first + 1), reader.GetString(first + 2), reader.GetString(first + 3),
        reader.GetString(first + 4), reader.IsDBNull(first + 5) ? null : reader.GetString(first + 5), database.ReadTime(reader, first + 6),
        reader.GetString(first + 7), database.ReadTime(reader, first + 8), database.ReadTime(reader, first + 9),
        database.ReadTimeOrNull(reader, first + 10));
}
