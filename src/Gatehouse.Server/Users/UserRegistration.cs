namespace Gatehouse.Server.Users;

/// The fields an operator sends, from the CLI or the API (SPEC 8 names). On create, a null field takes its
/// default; on update (PATCH), a null field is left as it is. An empty string clears an optional text field
/// (given_name, family_name, role); an empty list clears companies or teams. UserManagement applies the rules.
internal sealed record UserRegistration(
    string? Email = null,
    bool? EmailVerified = null,
    string? Name = null,
    string? GivenName = null,
    string? FamilyName = null,
    IReadOnlyList<CompanyRegistration>? Companies = null,
    string? Role = null,
    IReadOnlyList<string>? Teams = null,
    bool? Disabled = null,
    string? Password = null);

/// A company as sent; a null role means the default (director).
internal sealed record CompanyRegistration(string? CompanyNumber, string? Name, string? Role = null);
