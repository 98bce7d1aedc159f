using Gatehouse.Server.OAuth;

namespace Gatehouse.Server.Users;

/// What each OpenID Connect scope releases about a person (OIDC Core §5.4; `companies` is ours, SPEC 8).
/// The ID token and userinfo both come from here, so they always say the same.
internal static class PersonClaims
{
    public static IEnumerable<KeyValuePair<string, object>> For(User user, string scope)
    {
        if (Scopes.Contains(scope, Scopes.Profile))
        {
            yield return new("name", user.Name);
            if (user.GivenName is { } given) yield return new("given_name", given);
            if (user.FamilyName is { } family) yield return new("family_name", family);
        }
        if (Scopes.Contains(scope, Scopes.Email))
        {
            yield return new("email", user.Email);
            yield return new("email_verified", user.EmailVerified);
        }
        if (Scopes.Contains(scope, Scopes.Companies))
        {
            yield return new("companies", user.Companies
                .Select(c => new Dictionary<string, object> { ["company_number"] = c.CompanyNumber, ["name"] = c.Name, ["role"] = c.Role })
                .ToArray());
        }
    }
}
