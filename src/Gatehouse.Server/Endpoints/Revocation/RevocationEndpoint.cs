using Gatehouse.Server.Clients;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Observability;
using Gatehouse.Server.RateLimiting;
using Gatehouse.Server.Scaling;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Tokens;

namespace Gatehouse.Server.Endpoints.Revocation;

/// POST /oauth/revoke (RFC 7009): a client revokes one of its own tokens.
internal static partial class RevocationEndpoint
{
    public static void Map(IEndpointRouteBuilder app) => app.MapPost("/oauth/revoke", HandleAsync);

    private static async Task<IResult> HandleAsync(HttpRequest request, ClientAuthenticator clients,
        AccessTokenValidator validator, RevocationList revocations, TokenRevocation revocation, IGrantStore grants, GatehouseMetrics metrics,
        ILoggerFactory loggers, ClientRequestLimiter limiter, CancellationToken ct)
    {
        var form = await OAuthForm.ReadAsync(request, ct);
        if (form.IsError) return OAuthResults.Error(form.Error);
        var caller = clients.Authenticate(request, form.Value, allowPublic: true);
        if (caller.IsError) return OAuthResults.Error(caller.Error);
        if (limiter.Acquire(caller.Value.Client.ClientId, ClientRequestKind.Revocation) is { } limited) return OAuthResults.Error(limited);
        var token = form.Value.Value("token");
        if (token is null) return OAuthResults.Error(OAuthError.InvalidRequest("token is required."));

        // RFC 7009 §2.1: revoking a refresh token revokes its grant, and every access token the grant issued.
        if (Grants.GrantHandles.LooksLikeRefreshToken(token))
        {
            if (await grants.FindRefreshTokenAsync(Grants.GrantHandles.Hash(token), ct) is var (refresh, grant) &&
                refresh.ClientId == caller.Value.Client.ClientId)
                await revocation.RevokeGrantAsync(grant.GrantId, ct);
            return Revoked(request);
        }

        // RFC 7009 §2.2: unknown, invalid or expired tokens get 200 too — there is nothing left to revoke.
        var verified = await validator.VerifyAsync(token);
        if (verified is null) return Revoked(request);
        if (verified.ClientId != caller.Value.Client.ClientId)
        {
            // Not the caller's token: do nothing, and do not reveal that the token exists.
            LogForeignRevocation(loggers.CreateLogger(nameof(RevocationEndpoint)), caller.Value.Client.ClientId);
            return Revoked(request);
        }
        if (revocations.IsRevoked(verified.Jti)) return Revoked(request);
        try
        {
            await revocation.RevokeAccessTokenAsync(verified, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // SPEC 7: never 200 for a revocation that was not persisted.
            LogRevocationNotPersisted(loggers.CreateLogger(nameof(RevocationEndpoint)), e);
            return OAuthResults.Error(OAuthError.TemporarilyUnavailable());
        }
        metrics.Revoked();
        return Revoked(request);
    }

    private static IResult Revoked(HttpRequest request)
    {
        OAuthResults.SetNoStore(request.HttpContext.Response);
        return Results.Ok();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId} asked to revoke a token issued to another client; ignored.")]
    private static partial void LogForeignRevocation(ILogger logger, string clientId);

    [LoggerMessage(Level = LogLevel.Error, Message = "A token revocation could not be persisted.")]
    private static partial void LogRevocationNotPersisted(ILogger logger, Exception exception);
}
