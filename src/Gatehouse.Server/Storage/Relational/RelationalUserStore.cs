using System.Data.Common;
using System.Text.Json;
using Gatehouse.Server.Users;

namespace Gatehouse.Server.Storage.Relational;

/// Users as schema version 2 keeps them: companies as JSON text, teams space-separated, flags as 0/1 integers,
/// email_key (User.EmailKey) UNIQUE, and every deleted sub in retired_subs.
internal sealed class RelationalUserStore(RelationalDatabase database) : IUserStore
{
    private const string SelectUsers =
        "SELECT sub, email, email_verified, name, given_name, family_name, companies, role, teams, password_hash, disabled, " +
        "created_at, updated_at FROM users";

    private static readonly JsonSerializerOptions CompanyJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public Task<User?> FindAsync(string sub, CancellationToken ct) =>
        database.InSnapshotAsync((connection, transaction) => ReadOneAsync(connection, transaction, "sub", sub, forUpdate: false, ct), ct);

    public Task<User?> FindByEmailAsync(string email, CancellationToken ct) =>
        database.InSnapshotAsync((connection, transaction) =>
            ReadOneAsync(connection, transaction, "email_key", User.EmailKey(email), forUpdate: false, ct), ct);

    public Task<IReadOnlyList<User>> ListAsync(CancellationToken ct) =>
        database.InSnapshotAsync<IReadOnlyList<User>>(async (connection, transaction) =>
        {
            await using var command = database.Command(connection, SelectUsers + " ORDER BY created_at, sub", transaction);
            return await ReadUsersAsync(command, ct);
        }, ct);

    public Task<UserWrite> CreateAsync(User user, AuditEntry audit, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            if (await database.ScalarAsync(connection, transaction,
                    "SELECT 1 FROM users WHERE sub = @sub UNION ALL SELECT 1 FROM retired_subs WHERE sub = @sub", ct, ("sub", user.Sub)) is not null)
                return (false, UserWrite.SubTaken);
            try
            {
                await database.ExecuteAsync(connection, transaction,
                    "INSERT INTO users(sub, email, email_key, email_verified, name, given_name, family_name, companies, role, teams, " +
                    "password_hash, disabled, created_at, updated_at) VALUES (@sub, @email, @email_key, @email_verified, @name, @given_name, " +
                    "@family_name, @companies, @role, @teams, @password_hash, @disabled, @created_at, @updated_at)", ct, Parameters(user));
            }
            catch (DbException e) when (database.IsUniqueViolation(e))
            {
                return (false, UserWrite.EmailTaken); // the sub was checked above, in this transaction
            }
            await database.AppendAuditAsync(connection, transaction, audit, ct);
            return (true, UserWrite.Done);
        }, ct);

    public Task<(UserWrite Result, User? User)> UpdateAsync(string sub, Func<User, User> change, AuditEntry audit, CancellationToken ct) =>
        database.InTransactionAsync<(UserWrite, User?)>(async (connection, transaction) =>
        {
            var current = await ReadOneAsync(connection, transaction, "sub", sub, forUpdate: true, ct);
            if (current is null) return (false, (UserWrite.NotFound, null));
            var changed = change(current) with { Sub = current.Sub, CreatedAt = current.CreatedAt };
            try
            {
                await database.ExecuteAsync(connection, transaction,
                    "UPDATE users SET email = @email, email_key = @email_key, email_verified = @email_verified, name = @name, " +
                    "given_name = @given_name, family_name = @family_name, companies = @companies, role = @role, teams = @teams, " +
                    "password_hash = @password_hash, disabled = @disabled, updated_at = @updated_at WHERE sub = @sub", ct, Parameters(changed));
            }
            catch (DbException e) when (database.IsUniqueViolation(e))
            {
                return (false, (UserWrite.EmailTaken, null));
            }
            await database.AppendAuditAsync(connection, transaction, audit, ct);
            // Read back: what the engine keeps (SQLite: whole milliseconds) is what callers show.
            return (true, (UserWrite.Done, await ReadOneAsync(connection, transaction, "sub", sub, forUpdate: false, ct)));
        }, ct);

    public Task<bool> DeleteAsync(string sub, AuditEntry audit, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            if (await database.ExecuteAsync(connection, transaction, "DELETE FROM users WHERE sub = @sub", ct, ("sub", sub)) == 0)
                return (false, false);
            await database.ExecuteAsync(connection, transaction, "INSERT INTO retired_subs(sub) VALUES (@sub)", ct, ("sub", sub));
            await database.AppendAuditAsync(connection, transaction, audit, ct);
            return (true, true);
        }, ct);

    public Task<bool> ReplacePasswordHashAsync(string sub, string currentHash, string newHash, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            var replaced = await database.ExecuteAsync(connection, transaction,
                "UPDATE users SET password_hash = @new WHERE sub = @sub AND password_hash = @current", ct,
                ("sub", sub), ("current", currentHash), ("new", newHash));
            return (replaced > 0, replaced > 0);
        }, ct);

    private static (string, object?)[] Parameters(User user) =>
    [
        ("sub", user.Sub), ("email", user.Email), ("email_key", User.EmailKey(user.Email)), ("email_verified", user.EmailVerified ? 1 : 0),
        ("name", user.Name), ("given_name", user.GivenName), ("family_name", user.FamilyName),
        ("companies", JsonSerializer.Serialize(user.Companies, CompanyJson)), ("role", user.Role), ("teams", string.Join(' ', user.Teams)),
        ("password_hash", user.PasswordHash), ("disabled", user.Disabled ? 1 : 0), ("created_at", user.CreatedAt), ("updated_at", user.UpdatedAt),
    ];

    private async Task<User?> ReadOneAsync(DbConnection connection, DbTransaction transaction, string column, string value, bool forUpdate,
        CancellationToken ct)
    {
        await using var command = database.Command(connection,
            $"{SelectUsers} WHERE {column} = @value{(forUpdate ? database.ForUpdate : "")}", transaction, ("value", value));
        var users = await ReadUsersAsync(command, ct);
        return users.Count == 0 ? null : users[0];
    }

    private async Task<List<User>> ReadUsersAsync(DbCommand command, CancellationToken ct)
    {
        var users = new List<User>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            users.Add(new User(
                Sub: reader.GetString(0),
                Email: reader.GetString(1),
                EmailVerified: Flag(reader, 2),
                Name: reader.GetString(3),
                GivenName: reader.IsDBNull(4) ? null : reader.GetString(4),
                FamilyName: reader.IsDBNull(5) ? null : reader.GetString(5),
                Companies: JsonSerializer.Deserialize<Company[]>(reader.GetString(6), CompanyJson) ?? [],
                Role: reader.IsDBNull(7) ? null : reader.GetString(7),
                Teams: GatehouseOptions.Split(reader.GetString(8)),
                Disabled: Flag(reader, 10),
                CreatedAt: database.ReadTime(reader, 11),
                UpdatedAt: database.ReadTimeOrNull(reader, 12))
            {
                PasswordHash = reader.GetString(9),
            });
        }
        return users;
    }

    /// Both engines keep flags as integers (SQLite INTEGER is 64-bit, PostgreSQL integer 32-bit).
    private static bool Flag(DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal)) != 0;
}
