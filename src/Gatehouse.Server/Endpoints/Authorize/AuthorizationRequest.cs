using Gatehouse.Server.Clients;
using Gatehouse.Server.OAuth;

namespace Gatehouse.Server.Endpoints.Authorize;

/// A validated authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636 §4.3). Carried through
/// the login and consent forms protected by Data Protection, so no field can be changed on the way.
internal sealed record AuthorizationRequest(
    string ClientId,
    string RedirectUri,
    string ResponseMode,
    string Scope,
    string? State,
    string? Nonce,
    string CodeChallenge,
    string[] Prompt,
    long? MaxAge,
    string? LoginHint,
    string Audience)
{
    public bool HasPrompt(string value) => Prompt.Contains(value);
}

/// Where and how an answer goes back to the client: the registered redirect URI, in the response mode
/// asked for, with the state and (RFC 9207) our issuer.
internal sealed record ClientRedirect(string RedirectUri, string ResponseMode, string? State);

/// The outcome of reading an authorization request: valid, an error we may send to the client's
/// redirect URI, or (unknown client, unregistered redirect URI) an error we must show ourselves.
internal sealed record AuthorizationRequestResult(AuthorizationRequest? Request, ClientRedirect? ErrorTo, OAuthError? Error, Client? Client)
{
    public static AuthorizationRequestResult Valid(AuthorizationRequest request, Client client) => new(request, null, null, client);
    public static AuthorizationRequestResult Redirect(ClientRedirect to, OAuthError error) => new(null, to, error, null);
    public static AuthorizationRequestResult Page(OAuthError error) => new(null, null, error, null);
}

internal static class ResponseModes
{
    public const string Query = "query";
    public const string FormPost = "form_post";
    public static readonly string[] All = [Query, FormPost];
}

/// OIDC Core §3.1.2.1 prompt values (select_account is treated as login: one account per browser here).
internal static class Prompts
{
    public const string None = "none";
    public const string Login = "login";
    public const string Consent = "consent";
    public const string SelectAccount = "select_account";
    public static readonly string[] All = [None, Login, Consent, SelectAccount];
}
