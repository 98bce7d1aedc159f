namespace Gatehouse.Server.OAuth;

/// The operator scopes of the management API (SPEC 5): granted only when asked for, and honoured only in
/// tokens whose audience is this authorization server (its issuer URL).
internal static class ManagementScopes
{
    /// /oauth/clients, their secrets and tokens, the audit log.
    public const string Clients = "clients:manage";

    /// /oauth/users (SPEC 8 "People").
    public const string Users = "users:manage";

    public static readonly string[] All = [Clients, Users];
}
