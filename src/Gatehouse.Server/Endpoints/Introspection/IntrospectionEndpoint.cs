using System.Text.Json.Serialization;
using Gatehouse.Server.Clients;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Observability;
using Gatehouse.Server.RateLimiting;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Tokens;

namespace Gatehouse.Server.Endpoints.Introspection;

/// POST /oauth/introspect (RFC 7662), also at /partner/v1/oauth/introspect. Any authenticated client
/// may ask (resource servers are clients too); the answer comes from memory, never the database.
internal static class IntrospectionEndpoint
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/oauth/introspect", HandleAsync);
        app.MapPost("/partner/v1/oauth/introspect", HandleAsync);
    }

    private static readonly IntrospectionResponse Inactive = new(false);

    private static async Task<IResult> HandleAsync(HttpRequest request, ClientAuthenticator clients,
        AccessTokenValidator validator, StoreSync sync, GatehouseMetrics metrics, IGrantStore grants, TimeProvider clock,
        Hosting.IssuerUrl issuer, RateLimiting.ClientRequestLimiter limiter, CancellationToken ct)
    {
        var form = await OAuthForm.ReadAsync(request, ct);
        if (form.IsError) return OAuthResults.Error(form.Error);
        // SPEC 7, fail closed: when this node cannot know about recent revocations, say so rather than "active".
        if (!sync.IsInSync) return OAuthResults.Error(OAuthError.TemporarilyUnavailable());
        var caller = clients.Authenticate(request, form.Value);
        if (caller.IsError) return OAuthResults.Error(caller.Error);
        if (limiter.Acquire(caller.Value.Client.ClientId, ClientRequestKind.Introspection) is { } limited) return OAuthResults.Error(limited);
        var token = form.Value.Value("token");
        if (token is null) return OAuthResults.Error(OAuthError.InvalidRequest("token is required."));

        if (Grants.GrantHandles.LooksLikeRefreshToken(token))
            return OAuthResults.NoStoreJson(await RefreshTokenAsync(token, caller.Value.Client.ClientId, grants, clock, ct), OAuthJson.Web.IntrospectionResponse);

        // RFC 7662 §2.2: anything we cannot vouch for is simply inactive; token_type_hint is only a hint.
        var active = await validator.FindActiveAsync(token);
        // SPEC 5: a management token (audience: this server) is good for the management API only; no other
        // client has a use for its contents, so to them it is inactive (RFC 7662 §2.2 lets us decide per caller).
        if (active is not null && active.Audience == issuer.Value && active.ClientId != caller.Value.Client.ClientId) active = null;
        metrics.Introspected(active is not null);
        var body = active is null ? Inactive : new IntrospectionResponse(true)
        {
            Scope = active.Scope,
            ClientId = active.ClientId,
            TokenType = "Bearer",
            Exp = active.ExpiresAt,
            Iat = active.IssuedAt,
            Sub = active.Subject,
            Aud = active.Audience,
            Iss = active.Issuer,
            Jti = active.Jti,
        };
        return OAuthResults.NoStoreJson(body, OAuthJson.Web.IntrospectionResponse);
    }

    /// SPEC 7: a refresh token introspects as active only for its own client (anyone else learns nothing).
    private static async Task<IntrospectionResponse> RefreshTokenAsync(string token, string callerId, IGrantStore grants, TimeProvider clock,
        CancellationToken ct)
    {
        if (await grants.FindRefreshTokenAsync(Grants.GrantHandles.Hash(token), ct) is not var (refresh, grant)) return Inactive;
        var now = clock.GetUtcNow();
        if (refresh.ClientId != callerId || refresh.UsedAt is not null || refresh.ExpiresAt <= now || !grant.IsLive(now)) return Inactive;
        return new IntrospectionResponse(true)
        {
            Scope = grant.Scope,
            ClientId = refresh.ClientId,
            TokenType = "refresh_token",
            Exp = refresh.ExpiresAt.ToUnixTimeSeconds(),
            Iat = refresh.CreatedAt.ToUnixTimeSeconds(),
            Sub = grant.Sub,
        };
    }
}

/// RFC 7662 §2.2.
internal sealed record IntrospectionResponse([property: JsonPropertyName("active")] bool Active)
{
    [JsonPropertyName("scope")] public string? Scope { get; init; }
    [JsonPropertyName("client_id")] public string? ClientId { get; init; }
    [JsonPropertyName("token_type")] public string? TokenType { get; init; }
    [JsonPropertyName("exp")] public long? Exp { get; init; }
    [JsonPropertyName("iat")] public long? Iat { get; init; }
    [JsonPropertyName("sub")] public string? Sub { get; init; }
    [JsonPropertyName("aud")] public string? Aud { get; init; }
    [JsonPropertyName("iss")] public string? Iss { get; init; }
    [JsonPropertyName("jti")] public string? Jti { get; init; }
}
