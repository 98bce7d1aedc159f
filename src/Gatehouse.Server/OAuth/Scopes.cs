namespace Gatehouse.Server.OAuth;

/// RFC 6749 §3.3: a scope is a space-delimited, case-sensitive list; order carries no meaning.
/// The OpenID Connect scopes (Core §5.4, §11) live here too, with what each one releases.
internal static class Scopes
{
    public const string OpenId = "openid";
    public const string Profile = "profile";
    public const string Email = "email";
    public const string Companies = "companies";
    public const string OfflineAccess = "offline_access";

    /// Scopes that describe the person and need `openid` (SPEC 8).
    public static readonly string[] IdentityClaims = [Profile, Email, Companies];
    public static readonly string[] OpenIdConnect = [OpenId, Profile, Email, Companies, OfflineAccess];

    public static string[] Split(string? value) =>
        string.IsNullOrEmpty(value) ? [] : value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();

    public static string Join(IEnumerable<string> scopes) => string.Join(' ', scopes);

    public static bool Contains(string scopeString, string scope)
    {
        foreach (var part in scopeString.AsSpan().Split(' '))
            if (scopeString.AsSpan()[part].SequenceEqual(scope)) return true;
        return false;
    }
}
