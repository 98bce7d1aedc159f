using System.Security.Cryptography;
using Gatehouse.Server.Clients;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Storage;
using Microsoft.AspNetCore.Identity;

namespace Gatehouse.Server.Users;

/// Every rule about people (SPEC 8 "People"), for the CLI, the management API and the login page alike:
/// validates, hashes passwords (ASP.NET Core Identity's PasswordHasher: PBKDF2, deliberately slow), and writes
/// each change with its audit entry. A password is never logged, returned, nor written to the audit log.
internal sealed partial class UserManagement(
    IUserStore store,
    IPasswordHasher<User> hasher,
    Tokens.TokenRevocation revocation,
    ISessionStore sessions,
    TimeProvider clock,
    ILogger<UserManagement> logger)
{
    public const int MaxEmailLength = 254; // RFC 5321 §4.5.3.1.3: a path is at most 256 octets with its angle brackets
    public const int MaxNameLength = 200;
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 1024;
    public const int CompanyNumberLength = 8; // Companies House numbers: 01234567, SC123456
    public const int MaxTeamLength = 64;

    /// SPEC 8: a wrong email and a wrong password read the same.
    public static readonly OAuthError IncorrectCredentials = new("incorrect_credentials", "Incorrect email or password.", 401);

    /// SPEC 8: told only to someone who gave the right password.
    public static readonly OAuthError AccountDisabled = new("account_disabled", "This account is disabled.", 403);

    /// Stands in for the user who does not exist, so an unknown email costs the same hash verification as a known one.
    private static readonly User Nobody = new("", "", false, "", null, null, [], null, [], false, default, null);

    private readonly Lazy<string> _decoyHash = new(() => hasher.HashPassword(Nobody, RandomNumberGenerator.GetHexString(32)));

    public async Task<Outcome<User>> CreateAsync(UserRegistration registration, Actor actor, CancellationToken ct)
    {
        if (registration.Email is null) return OAuthError.InvalidField("email", "email is required.");
        if (registration.Name is null) return OAuthError.InvalidField("name", $"name is required: 1 to {MaxNameLength} printable characters.");
        if (registration.Password is null) return OAuthError.InvalidField("password", "password is required.");
        // SPEC 8: operators vouch for the addresses they enter unless they say otherwise.
        var draft = new User("", "", EmailVerified: true, "", null, null, [], null, [], Disabled: false, clock.GetUtcNow(), null);
        var validated = Apply(draft, registration, passwordHash: null);
        if (validated.IsError) return validated.Error;

        var user = validated.Value with { PasswordHash = hasher.HashPassword(validated.Value, registration.Password) };
        // A fresh sub is checked against live and retired ones; a clash (2^-131) just draws again.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            user = user with { Sub = SecretFormat.NewUserSub() };
            switch (await store.CreateAsync(user, Audit(actor, AuditActions.UserCreated, user.Sub, Describe(user)), ct))
            {
                case UserWrite.Done: return await store.FindAsync(user.Sub, ct) ?? user;
                case UserWrite.EmailTaken: return EmailTaken(user.Email);
            }
        }
        throw new InvalidOperationException("Could not draw an unused sub.");
    }

    /// A merge patch: fields left null stay as they are.
    public async Task<Outcome<User>> UpdateAsync(string sub, UserRegistration changes, Actor actor, CancellationToken ct)
    {
        // Every rule is about one field, so checking the changes on a blank user checks them for any user.
        var check = Apply(Nobody, changes, passwordHash: null);
        if (check.IsError) return check.Error;
        var passwordHash = changes.Password is null ? null : hasher.HashPassword(check.Value, changes.Password);
        var now = clock.GetUtcNow();

        var (result, user) = await store.UpdateAsync(sub,
            current => Apply(current, changes, passwordHash).Value with { UpdatedAt = now },
            Audit(actor, UpdateAction(changes), sub, Describe(changes)), ct);
        if (result == UserWrite.Done && (changes.Password is not null || changes.Disabled == true)) await SignOutEverywhereAsync(sub, ct);
        return result switch
        {
            UserWrite.Done => user!,
            UserWrite.EmailTaken => EmailTaken(check.Value.Email),
            _ => NoSuchUser(sub),
        };
    }

    /// SPEC 8: deleting or disabling a person, or changing their password, revokes their grants (and with them
    /// every refresh and access token) and ends their sessions. After the change itself: were this to fail,
    /// a disabled or deleted person's grants are refused anyway at their next use.
    private async Task SignOutEverywhereAsync(string sub, CancellationToken ct)
    {
        await revocation.RevokeGrantsOfUserAsync(sub, ct);
        await sessions.EndAllOfUserAsync(sub, clock.GetUtcNow(), ct);
    }

    public Task<Outcome<User>> DisableAsync(string sub, Actor actor, CancellationToken ct) =>
        UpdateAsync(sub, new UserRegistration(Disabled: true), actor, ct);

    public Task<Outcome<User>> EnableAsync(string sub, Actor actor, CancellationToken ct) =>
        UpdateAsync(sub, new UserRegistration(Disabled: false), actor, ct);

    public Task<Outcome<User>> SetPasswordAsync(string sub, string password, Actor actor, CancellationToken ct) =>
        UpdateAsync(sub, new UserRegistration(Password: password), actor, ct);

    /// Deletes the user; the sub is retired and never given to anyone else.
    public async Task<Outcome<bool>> DeleteAsync(string sub, Actor actor, CancellationToken ct)
    {
        if (!await store.DeleteAsync(sub, Audit(actor, AuditActions.UserDeleted, sub), ct)) return NoSuchUser(sub);
        await SignOutEverywhereAsync(sub, ct);
        return true;
    }

    /// The login page's check (SPEC 8). IncorrectCredentials for an unknown email or a wrong password, after the
    /// same hash verification either way; AccountDisabled only when the password was right. A hash in an older
    /// format is upgraded once the password has been seen to match it.
    public async Task<Outcome<User>> VerifyPasswordAsync(string email, string password, CancellationToken ct)
    {
        var user = await store.FindByEmailAsync(email, ct);
        var result = hasher.VerifyHashedPassword(user ?? Nobody, user?.PasswordHash ?? _decoyHash.Value, password);
        if (user is null || result == PasswordVerificationResult.Failed) return IncorrectCredentials;
        if (result == PasswordVerificationResult.SuccessRehashNeeded &&
            await store.ReplacePasswordHashAsync(user.Sub, user.PasswordHash, hasher.HashPassword(user, password), ct))
            LogRehashed(logger, user.Sub);
        return user.Disabled ? AccountDisabled : user;
    }

    /// The rules, field by field: each refusal names its field. `passwordHash` (already computed) replaces the
    /// hash when the changes carry a password; null only checks the password.
    private static Outcome<User> Apply(User user, UserRegistration changes, string? passwordHash)
    {
        if (changes.Email is not null)
        {
            var email = changes.Email.Trim();
            if (EmailProblem(email) is { } problem) return OAuthError.InvalidField("email", problem);
            user = user with { Email = email };
        }
        if (changes.EmailVerified is { } verified) user = user with { EmailVerified = verified };
        if (changes.Name is not null)
        {
            var name = changes.Name.Trim();
            if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl))
                return OAuthError.InvalidField("name", $"name must be 1 to {MaxNameLength} printable characters.");
            user = user with { Name = name };
        }
        if (changes.GivenName is not null)
        {
            var given = OptionalText(changes.GivenName);
            if (given.IsError) return OAuthError.InvalidField("given_name", $"given_name {given.Error.Description}");
            user = user with { GivenName = given.Value };
        }
        if (changes.FamilyName is not null)
        {
            var family = OptionalText(changes.FamilyName);
            if (family.IsError) return OAuthError.InvalidField("family_name", $"family_name {family.Error.Description}");
            user = user with { FamilyName = family.Value };
        }
        if (changes.Companies is not null)
        {
            var companies = new List<Company>();
            foreach (var requested in changes.Companies)
            {
                var company = CompanyOf(requested);
                if (company.IsError) return company.Error;
                if (companies.Any(c => c.CompanyNumber == company.Value.CompanyNumber))
                    return OAuthError.InvalidField("companies", $"company {company.Value.CompanyNumber} is listed twice.");
                companies.Add(company.Value);
            }
            user = user with { Companies = companies };
        }
        if (changes.Role is not null)
        {
            var role = changes.Role.Trim();
            if (role.Length > 0 && !UserRoles.All.Contains(role))
                return OAuthError.InvalidField("role", $"role must be one of: {string.Join(", ", UserRoles.All)} (or none).");
            user = user with { Role = role.Length == 0 ? null : role };
        }
        if (changes.Teams is not null)
        {
            var bad = changes.Teams.FirstOrDefault(t => !IsTeamName(t));
            if (bad is not null)
                return OAuthError.InvalidField("teams", $"team {Echo.Quoted(bad)} must be 1 to {MaxTeamLength} of a-z, 0-9 and -.");
            user = user with { Teams = changes.Teams.Distinct(StringComparer.Ordinal).ToArray() };
        }
        if (changes.Disabled is { } disabled) user = user with { Disabled = disabled };
        if (changes.Password is not null)
        {
            // Never trimmed, never echoed: the message names only the rule.
            if (changes.Password.Length is < MinPasswordLength or > MaxPasswordLength)
                return OAuthError.InvalidField("password", $"password must be {MinPasswordLength} to {MaxPasswordLength} characters.");
            if (passwordHash is not null) user = user with { PasswordHash = passwordHash };
        }
        return user;
    }

    /// A plausible address, not a proof of one (only a message to it proves it): one @ between a local part and
    /// a domain, no spaces or control characters.
    private static string? EmailProblem(string email)
    {
        if (email.Length == 0) return "email is required.";
        if (email.Length > MaxEmailLength) return $"email must be at most {MaxEmailLength} characters.";
        if (email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) return "email must not contain spaces or control characters.";
        var at = email.IndexOf('@');
        if (at <= 0 || at != email.LastIndexOf('@') || at == email.Length - 1)
            return "email must be an address: one @ between a local part and a domain.";
        var domain = email[(at + 1)..];
        if (domain.StartsWith('.') || domain.EndsWith('.') || domain.Contains("..")) return "email's domain is not a domain name.";
        return null;
    }

    /// given_name, family_name: empty (after trimming) means none.
    private static Outcome<string?> OptionalText(string value)
    {
        var text = value.Trim();
        if (text.Length > MaxNameLength || text.Any(char.IsControl))
            return OAuthError.InvalidRequest($"must be at most {MaxNameLength} printable characters.");
        return text.Length == 0 ? (string?)null : text;
    }

    private static Outcome<Company> CompanyOf(CompanyRegistration requested)
    {
        var number = (requested.CompanyNumber ?? "").Trim().ToUpperInvariant();
        if (number.Length != CompanyNumberLength || !number.All(c => c is >= 'A' and <= 'Z' or >= '0' and <= '9'))
            return OAuthError.InvalidField("companies",
                $"company_number {Echo.Quoted(requested.CompanyNumber)} must be {CompanyNumberLength} letters or digits (e.g. 01234567, SC123456).");
        var name = (requested.Name ?? "").Trim();
        if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl))
            return OAuthError.InvalidField("companies", $"company {number}: name must be 1 to {MaxNameLength} printable characters.");
        var role = requested.Role?.Trim() ?? CompanyRoles.Director;
        if (!CompanyRoles.All.Contains(role))
            return OAuthError.InvalidField("companies", $"company {number}: role must be one of: {string.Join(", ", CompanyRoles.All)}.");
        return new Company(number, name, role);
    }

    private static bool IsTeamName(string team) =>
        team.Length is >= 1 and <= MaxTeamLength && team.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-');

    /// A change of only the password, or only the disabled flag, is recorded as that; anything else as an update.
    private static string UpdateAction(UserRegistration changes) => Fields(changes) switch
    {
        ["password"] => AuditActions.UserPasswordChanged,
        ["disabled"] => changes.Disabled == true ? AuditActions.UserDisabled : AuditActions.UserEnabled,
        _ => AuditActions.UserUpdated,
    };

    private static string[] Fields(UserRegistration c)
    {
        var fields = new List<string>();
        if (c.Email is not null) fields.Add("email");
        if (c.EmailVerified is not null) fields.Add("email_verified");
        if (c.Name is not null) fields.Add("name");
        if (c.GivenName is not null) fields.Add("given_name");
        if (c.FamilyName is not null) fields.Add("family_name");
        if (c.Companies is not null) fields.Add("companies");
        if (c.Role is not null) fields.Add("role");
        if (c.Teams is not null) fields.Add("teams");
        if (c.Disabled is not null) fields.Add("disabled");
        if (c.Password is not null) fields.Add("password");
        return fields.ToArray();
    }

    /// What an update asked for, as the audit log keeps it: the fields named, never a password.
    private static string Describe(UserRegistration changes) => AuditDetails.Of(("fields", Fields(changes).ToArray()));

    private static string Describe(User u) => AuditDetails.Of(
        ("email", u.Email), ("name", u.Name), ("email_verified", u.EmailVerified), ("role", u.Role), ("teams", u.Teams),
        ("companies", u.Companies.Select(c => $"{c.CompanyNumber}:{c.Role}").ToArray()), ("disabled", u.Disabled));

    private AuditEntry Audit(Actor actor, string action, string target, string? details = null) =>
        new(clock.GetUtcNow(), actor.Name, action, target, actor.SourceAddress, details);

    private static OAuthError EmailTaken(string email) =>
        OAuthError.Conflict($"Another user already has the email {Echo.Quoted(email)}.") with { Field = "email" };

    private static OAuthError NoSuchUser(string sub) => OAuthError.NotFound($"No user {Echo.Quoted(sub)}.");

    [LoggerMessage(Level = LogLevel.Information, Message = "The password hash of {Sub} was upgraded to the current format.")]
    private static partial void LogRehashed(ILogger logger, string sub);
}
