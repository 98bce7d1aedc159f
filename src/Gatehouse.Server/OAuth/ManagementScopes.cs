namespace Gatehouse.Server.OAuth;

/// The operator scopes of the management API (SPEC 5): granted only when asked for, issued only in tokens
/// whose audience is this authorization server (its issuer URL), and honoured only there: such a token is
/// good for the management API alone (docs/hardening.md, item 4).
internal static class ManagementScopes
{
    /// /oauth/clients, their secrets and tokens, the audit log.
    public const string Clients = "clients:manage";

    /// /oauth/users (SPEC 8 "People").
    public const string Users = "users:manage";

    public static readonly string[] All = [Clients, Users];

    public static bool IsManagement(string scope) => scope is Clients or Users;

    /// The first management scope in a space-separated scope string, or null.
    public static string? FirstIn(string scope) =>
        Scopes.Contains(scope, Clients) ? Clients : Scopes.Contains(scope, Users) ? Users : null;

    public static OAuthError OnlyForIssuer(string scope, string issuer) =>
        new(OAuthErrorCodes.InvalidScope, $"Scope '{scope}' is issued only in tokens for the management API: ask for audience '{issuer}'.");

    public static OAuthError NothingLeftFor(string audience, string issuer) =>
        new(OAuthErrorCodes.InvalidScope,
            $"This client's scopes are all management scopes, issued only for audience '{issuer}', not {Echo.Quoted(audience)}.");
}
