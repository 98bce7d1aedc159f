using System.Text.Json.Serialization;
using Gatehouse.Server.Clients;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.RateLimiting;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Tokens;

namespace Gatehouse.Server.Endpoints.Token;

/// POST /oauth/token (RFC 6749 §3.2), also at the seeds' /partner/v1/oauth/token.
internal static class TokenEndpoint
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/oauth/token", HandleAsync);
        app.MapPost("/partner/v1/oauth/token", HandleAsync);
    }

    private static async Task<IResult> HandleAsync(HttpRequest request, ClientAuthenticator clients,
        ITokenRateLimiter rateLimiter, ClientCredentialsGrant clientCredentials, TokenIssuer issuer, StoreSync sync, CancellationToken ct)
    {
        var form = await OAuthForm.ReadAsync(request, ct);
        if (form.IsError) return OAuthResults.Error(form.Error);
        var grantType = form.Value.Value("grant_type");
        if (grantType is null) return OAuthResults.Error(OAuthError.InvalidRequest("grant_type is required."));

        // Serving from memory is safe only while it is known to be current (a secret may have been revoked elsewhere).
        if (!sync.IsInSync) return OAuthResults.Error(OAuthError.TemporarilyUnavailable());
        var client = clients.Authenticate(request, form.Value);
        if (client.IsError) return OAuthResults.Error(client.Error);
        if (await rateLimiter.AcquireAsync(client.Value.Client) is var retryAfter and > 0)
            return OAuthResults.Error(OAuthError.RateLimited(retryAfter, "Token request rate limit exceeded for this client; cache and reuse tokens."));

        var grant = grantType switch
        {
            GrantTypes.ClientCredentials => clientCredentials.Validate(client.Value.Client, form.Value),
            _ => OAuthError.UnsupportedGrantType(grantType),
        };
        if (grant.IsError) return OAuthResults.Error(grant.Error);

        var token = issuer.Issue(grant.Value);
        return OAuthResults.NoStoreJson(new TokenResponse(token.AccessToken, "Bearer", token.ExpiresIn, token.Scope),
            OAuthJson.Web.TokenResponse);
    }
}

/// RFC 6749 §5.1.
internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("scope")] string Scope);
