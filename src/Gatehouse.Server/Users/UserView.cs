namespace Gatehouse.Server.Users;

/// A user as the management API and the CLI show it (snake_case through their JSON options): everything but
/// the password hash.
internal sealed record UserView(
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
    public static UserView Of(User u) => new(u.Sub, u.Email, u.EmailVerified, u.Name, u.GivenName, u.FamilyName, u.Companies,
        u.Role, u.Teams, u.Disabled, u.CreatedAt, u.UpdatedAt);
}
