using System.Text.Json;
using Gatehouse.Server.Endpoints.Clients;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Users;

namespace Gatehouse.Server.Endpoints.Users;

/// A user body for POST (create) or PATCH (RFC 7396 merge patch): each field checked for its JSON type here,
/// its rules in UserManagement. JSON null clears an optional field (given_name, family_name, role, companies, teams).
internal static class UserJson
{
    public static Task<Outcome<UserRegistration>> ReadAsync(HttpRequest request, CancellationToken ct) =>
        ManagementJson.ReadObjectAsync(request, Parse, ct);

    private static Outcome<UserRegistration> Parse(JsonElement root)
    {
        var user = new UserRegistration();
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "email":
                    if (value.ValueKind != JsonValueKind.String) return WrongType("email", "a string");
                    user = user with { Email = value.GetString() };
                    break;
                case "email_verified":
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) return WrongType("email_verified", "true or false");
                    user = user with { EmailVerified = value.GetBoolean() };
                    break;
                case "name":
                    if (value.ValueKind != JsonValueKind.String) return WrongType("name", "a string");
                    user = user with { Name = value.GetString() };
                    break;
                case "given_name":
                    if (OptionalString(value) is not { } given) return WrongType("given_name", "a string or null");
                    user = user with { GivenName = given };
                    break;
                case "family_name":
                    if (OptionalString(value) is not { } family) return WrongType("family_name", "a string or null");
                    user = user with { FamilyName = family };
                    break;
                case "role":
                    if (OptionalString(value) is not { } role) return WrongType("role", "\"operator\", \"developer\" or null");
                    user = user with { Role = role };
                    break;
                case "teams":
                    string[]? teams = value.ValueKind == JsonValueKind.Null ? [] : ManagementJson.StringArray(value);
                    if (teams is null) return WrongType("teams", "an array of strings");
                    user = user with { Teams = teams };
                    break;
                case "companies":
                    var companies = Companies(value);
                    if (companies is null)
                        return WrongType("companies", "an array of objects {\"company_number\", \"name\", \"role\"}");
                    user = user with { Companies = companies };
                    break;
                case "disabled":
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) return WrongType("disabled", "true or false");
                    user = user with { Disabled = value.GetBoolean() };
                    break;
                case "password":
                    if (value.ValueKind != JsonValueKind.String) return WrongType("password", "a string");
                    user = user with { Password = value.GetString() };
                    break;
                default:
                    return OAuthError.InvalidField(property.Name, $"Unknown field {Echo.Quoted(property.Name)}.");
            }
        }
        return user;
    }

    /// A string; JSON null is "" (clear). Null when the value is neither.
    private static string? OptionalString(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null => "",
        _ => null,
    };

    private static CompanyRegistration[]? Companies(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null) return [];
        if (value.ValueKind != JsonValueKind.Array) return null;
        var companies = new List<CompanyRegistration>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) return null;
            string? number = null, name = null, role = null;
            foreach (var field in item.EnumerateObject())
            {
                if (field.Value.ValueKind != JsonValueKind.String) return null;
                switch (field.Name)
                {
                    case "company_number": number = field.Value.GetString(); break;
                    case "name": name = field.Value.GetString(); break;
                    case "role": role = field.Value.GetString(); break;
                    default: return null;
                }
            }
            companies.Add(new CompanyRegistration(number, name, role));
        }
        return companies.ToArray();
    }

    private static OAuthError WrongType(string field, string expected) => OAuthError.InvalidField(field, $"{field} must be {expected}.");
}
