using System.Text.Json.Serialization;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Dashboard;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Observability;
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
        ITokenRateLimiter rateLimiter, TokenGrantHandlers grants, TokenIssuer issuer, StoreSync sync,
        GatehouseMetrics metrics, Hosting.IssuerUrl issuerUrl, TokenUsageCounter usage, CancellationToken ct)
    {
        var form = await OAuthForm.ReadAsync(request, ct);
        if (form.IsError) return Refuse(form.Error, metrics);
        var grantType = form.Value.Value("grant_type");
        if (grantType is null) return Refuse(OAuthError.InvalidRequest("grant_type is required."), metrics);

        // Serving from memory is safe only while it is known to be current (a secret may have been revoked elsewhere).
        if (!sync.IsInSync) return Refuse(OAuthError.TemporarilyUnavailable(), metrics);
        var client = clients.Authenticate(request, form.Value, allowPublic: true);
        if (client.IsError)
        {
            // The usage chart's "failed": a named, known client whose authentication failed.
            if (client.Error.Code == OAuthErrorCodes.InvalidClient && ClientCredentials.Read(request, form.Value) is { IsError: false } named)
                usage.Failed(named.Value.ClientId);
            return Refuse(client.Error, metrics);
        }
        if (await rateLimiter.AcquireAsync(client.Value.Client) is var retryAfter and > 0)
        {
            usage.RateLimited(client.Value.Client.ClientId);
            return Refuse(OAuthError.RateLimited(retryAfter, "Token request rate limit exceeded for this client; cache and reuse tokens."), metrics);
        }

        if (grants.For(grantType) is not { } handler) return Refuse(OAuthError.UnsupportedGrantType(grantType), metrics);
        var grant = await handler.ValidateAsync(client.Value, form.Value, ct);
        if (grant.IsError) return Refuse(grant.Error, metrics);
        // SPEC 5, whatever the grant: a management scope never rides in a token for another audience.
        if (grant.Value.Audience != issuerUrl.Value && ManagementScopes.FirstIn(grant.Value.Scope) is { } management)
            return Refuse(ManagementScopes.OnlyForIssuer(management, issuerUrl.Value), metrics);

        if (issuer.Issue(grant.Value) is not { } token) return Refuse(OAuthError.TemporarilyUnavailable(), metrics);
        var completed = await handler.CompleteAsync(grant.Value, token, ct);
        if (completed.IsError) return Refuse(completed.Error, metrics);
        metrics.TokenIssued(grantType);
        usage.Issued(client.Value.Client.ClientId);
        return OAuthResults.NoStoreJson(new TokenResponse(token.AccessToken, "Bearer", token.ExpiresIn, token.Scope)
        {
            IdToken = token.IdToken,
            RefreshToken = token.RefreshToken,
        }, OAuthJson.Web.TokenResponse);
    }

    private static IResult Refuse(OAuthError error, GatehouseMetrics metrics)
    {
        metrics.TokenRefused(error.Code);
        return OAuthResults.Error(error);
    }
}

/// RFC 6749 §5.1.
internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("scope")] string Scope)
{
    [JsonPropertyName("id_token")] public string? IdToken { get; init; }
    [JsonPropertyName("refresh_token")] public string? RefreshToken { get; init; }
}
