namespace Gatehouse.Server.Users;

/// A person who signs in (SPEC 8): a director or signatory of the companies they act for, or (SPEC 9) an
/// operator or developer of the dashboard. Immutable; replaced whole when it changes.
internal sealed record User(
    string Sub,
    string Email,
    bool EmailVerified,
    string Name,
    string? GivenName,
    string? FamilyName,
    IReadOnlyList<Company> Companies,
    string? Role,
    IReadOnlyList<string> Teams,
    bool Disabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt)
{
    /// ASP.NET Core Identity's PasswordHasher output; never the password, never logged.
    public string PasswordHash { get; init; } = "";

    /// Emails are unique without regard to case (SPEC 8).
    public static string EmailKey(string email) => email.Trim().ToLowerInvariant();
}

/// A company the user acts for, as the `companies` claim carries it.
internal sealed record Company(string CompanyNumber, string Name, string Role);

internal static class CompanyRoles
{
    public const string Director = "director";
    public const string Signatory = "signatory";
    public static readonly string[] All = [Director, Signatory];
}

/// Dashboard roles (SPEC 9).
internal static class UserRoles
{
    public const string Operator = "operator";
    public const string Developer = "developer";
    public static readonly string[] All = [Operator, Developer];
}
