using Gatehouse.Server.Clients;
using Gatehouse.Server.OAuth;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Server.Endpoints.Authorize;

/// Reads GET query or POST form parameters of /oauth/authorize and applies every rule of SPEC 8, in the
/// order that decides where an error may go: first who the client is and where to answer (an error there
/// is shown as a page, never redirected: RFC 6749 §4.1.2.1), then everything else (redirected).
internal sealed class AuthorizationRequestReader(ClientRegistry clients, IOptions<GatehouseOptions> options)
{
    private readonly GatehouseOptions _options = options.Value;

    /// Any max_age beyond a century means "no bound" in effect; capping it keeps the arithmetic in range.
    private const long MaxAgeCeiling = 100L * 365 * 24 * 3600;

    public AuthorizationRequestResult Read(IEnumerable<KeyValuePair<string, StringValues>> parameters)
    {
        var values = new Dictionary<string, StringValues>(StringComparer.Ordinal);
        foreach (var (name, value) in parameters) values[name] = value;
        string? Single(string name) => values.TryGetValue(name, out var v) && v.Count == 1 && !string.IsNullOrEmpty(v[0]) ? v[0] : null;
        bool Repeated(string name) => values.TryGetValue(name, out var v) && v.Count > 1;

        // ---- shown to the person: no client to send it to ----
        var clientId = Single("client_id");
        if (clientId is null || Repeated("client_id") || !clients.TryGet(clientId, out var client))
            return AuthorizationRequestResult.Page(OAuthError.InvalidRequest(
                "The application that sent you here is not registered with this sign-in service (unknown client_id)."));
        var redirectUri = Single("redirect_uri");
        if (redirectUri is null || Repeated("redirect_uri") || !RedirectUris.IsRegistered(client, redirectUri))
            return AuthorizationRequestResult.Page(OAuthError.InvalidRequest(
                $"The address {client.Name} asked to return you to is not one it registered (redirect_uri)."));

        // ---- from here on, errors go back to the client ----
        var state = Single("state");
        var mode = Single("response_mode") is { } askedMode && ResponseModes.All.Contains(askedMode) ? askedMode : ResponseModes.Query;
        var to = new ClientRedirect(redirectUri, mode, state);
        AuthorizationRequestResult Fail(OAuthError error) => AuthorizationRequestResult.Redirect(to, error);

        // OIDC Core §3.1.2.1: parameters must not appear more than once.
        var repeated = values.FirstOrDefault(kv => kv.Value.Count > 1).Key;
        if (repeated is not null) return Fail(OAuthError.InvalidRequest($"Parameter '{repeated}' is repeated."));
        if (Single("response_mode") is { } mode2 && !ResponseModes.All.Contains(mode2))
            return Fail(OAuthError.InvalidRequest("response_mode must be query or form_post."));
        if (Single("request") is not null)
            return Fail(new OAuthError(OAuthErrorCodes.RequestNotSupported, "Request objects are not supported; send the parameters directly."));
        if (Single("request_uri") is not null)
            return Fail(new OAuthError(OAuthErrorCodes.RequestUriNotSupported, "request_uri is not supported; send the parameters directly."));

        var responseType = Single("response_type");
        if (responseType is null) return Fail(OAuthError.InvalidRequest("response_type is required (code)."));
        if (responseType != "code")
            return Fail(new OAuthError(OAuthErrorCodes.UnsupportedResponseType, "Only response_type=code is supported (authorization code with PKCE)."));
        if (!client.AllowsGrant(GrantTypes.AuthorizationCode)) return Fail(OAuthError.UnauthorizedClient(GrantTypes.AuthorizationCode));

        var scopes = Scopes.Split(Single("scope"));
        if (scopes.Length == 0) return Fail(new OAuthError(OAuthErrorCodes.InvalidScope, "scope is required (openid to sign a person in)."));
        var openId = scopes.Contains(Scopes.OpenId);
        foreach (var scope in scopes)
        {
            if (Scopes.IdentityClaims.Contains(scope) && !openId)
                return Fail(new OAuthError(OAuthErrorCodes.InvalidScope, $"Scope '{scope}' needs openid."));
            // OpenID Connect scopes come with the authorization_code grant; API scopes must be granted to the client.
            if (!Scopes.OpenIdConnect.Contains(scope) && !client.Scopes.Contains(scope)) return Fail(OAuthError.InvalidScope(scope));
        }

        var challenge = Single("code_challenge");
        var method = Single("code_challenge_method");
        if (challenge is null) return Fail(OAuthError.InvalidRequest("code_challenge is required (PKCE with S256, RFC 7636)."));
        // RFC 7636 §4.3: a missing method means plain, which SPEC 8 refuses.
        if (method != "S256") return Fail(OAuthError.InvalidRequest("code_challenge_method must be S256."));
        if (!Grants.Pkce.IsWellFormedChallenge(challenge))
            return Fail(OAuthError.InvalidRequest("code_challenge must be the base64url SHA-256 of the verifier (43 characters)."));

        var prompt = Scopes.Split(Single("prompt"));
        if (prompt.FirstOrDefault(p => !Prompts.All.Contains(p)) is { } unknownPrompt)
            return Fail(OAuthError.InvalidRequest($"prompt '{unknownPrompt}' is not supported."));
        if (prompt.Contains(Prompts.None) && prompt.Length > 1) return Fail(OAuthError.InvalidRequest("prompt=none cannot be combined."));

        long? maxAge = null;
        if (Single("max_age") is { } maxAgeText)
        {
            if (!long.TryParse(maxAgeText, System.Globalization.NumberStyles.None, null, out var seconds))
                return Fail(OAuthError.InvalidRequest("max_age must be a number of seconds."));
            maxAge = Math.Min(seconds, MaxAgeCeiling);
        }

        var audience = Single("audience");
        var resource = Single("resource");
        if (audience is not null && resource is not null && audience != resource)
            return Fail(OAuthError.InvalidRequest("audience and resource name different targets; send one."));
        var target = audience ?? resource;
        if (target is not null && !client.Audiences.Contains(target)) return Fail(OAuthError.InvalidTarget(target));

        return AuthorizationRequestResult.Valid(new AuthorizationRequest(client.ClientId, redirectUri, mode, Scopes.Join(scopes), state,
            Single("nonce"), challenge, prompt, maxAge, Single("login_hint"), target ?? GatehouseOptions.PublicAudience), client);
    }
}

/// RFC 6749 §3.1.2.3: redirect URIs match as exact strings, except that a public client's loopback URI
/// matches on any port (RFC 8252 §7.3), since a native app gets whatever port is free.
internal static class RedirectUris
{
    public static bool IsRegistered(Client client, string candidate)
    {
        if (client.RedirectUris.Contains(candidate, StringComparer.Ordinal)) return true;
        if (!client.IsPublic || !Uri.TryCreate(candidate, UriKind.Absolute, out var asked) || !IsLoopbackLiteral(asked)) return false;
        foreach (var registered in client.RedirectUris)
        {
            if (Uri.TryCreate(registered, UriKind.Absolute, out var uri) && IsLoopbackLiteral(uri) &&
                uri.Scheme == asked.Scheme && uri.Host == asked.Host &&
                uri.PathAndQuery == asked.PathAndQuery && string.IsNullOrEmpty(asked.UserInfo))
                return true;
        }
        return false;
    }

    private static bool IsLoopbackLiteral(Uri uri) => uri.Scheme == Uri.UriSchemeHttp && uri.Host is "127.0.0.1" or "[::1]";
}
