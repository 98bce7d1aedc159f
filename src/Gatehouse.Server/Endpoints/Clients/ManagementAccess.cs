using Gatehouse.Server.Clients;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Tokens;

namespace Gatehouse.Server.Endpoints.Clients;

/// Who may call the management API: an operator (a bearer access token with the endpoint's operator scope,
/// ManagementScopes, whose audience is this authorization server), or, for its own secrets and tokens, the
/// client itself authenticating as it does at the token endpoint.
internal sealed class ManagementAccess(AccessTokenValidator tokens, ClientAuthenticator clients, ClientRegistry registry, IssuerUrl issuer,
    RateLimiting.ClientRequestLimiter limiter)
{
    /// An operator holding `scope` (clients:manage unless the endpoint names another).
    public async Task<Outcome<Actor>> RequireOperatorAsync(HttpRequest request, string scope = ManagementScopes.Clients)
    {
        var bearer = BearerToken(request);
        if (bearer is not null) return await OperatorFromTokenAsync(request, bearer, scope);
        if (!request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            return OAuthError.Unauthenticated("An operator access token is required.") with { ChallengeBasic = false };
        // A client that proves who it is but is not an operator: authenticated without the right, 403.
        var client = clients.Authenticate(request, FormCollection.Empty);
        if (client.IsError) return client.Error;
        return OAuthError.InsufficientScope(scope,
            $"This needs an operator access token (scope '{scope}', audience '{issuer.Value}'), not client credentials.");
    }

    /// The operator, or the client named in the path authenticating with one of its live secrets.
    /// Another client gets 404: it must not learn whether the client exists. A `change` by the client itself
    /// (a database write and an audit row) counts against its self-service limit; an operator's does not.
    public async Task<Outcome<Actor>> RequireOperatorOrClientAsync(HttpRequest request, string clientId, bool change = false)
    {
        var bearer = BearerToken(request);
        if (bearer is not null) return await OperatorFromTokenAsync(request, bearer, ManagementScopes.Clients);

        var form = request.HasFormContentType ? await OAuthForm.ReadAsync(request, request.HttpContext.RequestAborted) : new Outcome<IFormCollection>(FormCollection.Empty);
        if (form.IsError) return form.Error;
        if (!request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) && form.Value.Value("client_secret") is null)
            return OAuthError.Unauthenticated("An operator access token, or the client's own credentials, is required.");
        var client = clients.Authenticate(request, form.Value);
        if (client.IsError) return client.Error;
        if (client.Value.Client.ClientId != clientId) return OAuthError.NotFound($"No client {Echo.Quoted(clientId)}.");
        if (change && limiter.Acquire(clientId, RateLimiting.ClientRequestKind.SelfServiceChange) is { } limited) return limited;
        return Actor.Client(clientId, request.HttpContext.Connection.RemoteIpAddress);
    }

    private async Task<Outcome<Actor>> OperatorFromTokenAsync(HttpRequest request, string bearer, string scope)
    {
        var token = await tokens.FindActiveAsync(bearer);
        if (token is null) return OAuthError.InvalidToken("The access token is invalid, expired or revoked.");
        if (token.Audience != issuer.Value || !token.HasScope(scope))
            return OAuthError.InsufficientScope(scope,
                $"This needs a token with scope '{scope}' and audience '{issuer.Value}'.");
        // SPEC 5: the right is the client's current grant, not what its token said when it was minted, so
        // demoting an operator takes effect on its next request (FindActiveAsync has checked it still exists).
        if (!registry.TryGet(token.ClientId, out var client) || !client.Scopes.Contains(scope))
            return OAuthError.InsufficientScope(scope, $"This client is no longer granted '{scope}'.");
        return Actor.Client(token.ClientId, request.HttpContext.Connection.RemoteIpAddress);
    }

    private static string? BearerToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
    }
}
