using Gatehouse.ResourceServer.Authorization;
using Gatehouse.ResourceServer.Diagnostics;
using Gatehouse.ResourceServer.Introspection;
using Gatehouse.ResourceServer.Revocation;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gatehouse.ResourceServer.Validation;

/// The points where Gatehouse adds to JwtBearer: fetch an unknown key before validating, refuse revoked
/// tokens after, and shape the 401/403 challenges.
internal sealed class GatehouseBearerEvents(GatehouseScheme scheme) : JwtBearerEvents
{
    // If the feed has not answered yet (app start), a request waits this long for it rather than
    // accepting a token the feed may be about to revoke.
    private static readonly TimeSpan FirstSyncWait = TimeSpan.FromSeconds(2);

    public override async Task MessageReceived(MessageReceivedContext context)
    {
        // RFC 6750 §2.1 only (bearer_methods_supported: header): no tokens in query strings or forms.
        string authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            context.NoResult();
            return;
        }
        var token = authorization["Bearer ".Length..].Trim();
        if (token.Length == 0)
        {
            context.NoResult();
            return;
        }
        context.Token = token;
        if (scheme.Introspection is null && TokenKeyId.Read(token) is { } keyId && !scheme.Metadata.KnowsKey(keyId))
            await scheme.Metadata.RefreshForUnknownKeyAsync(keyId, context.HttpContext.RequestAborted);
    }

    public override async Task TokenValidated(TokenValidatedContext context)
    {
        var revocations = scheme.Revocations;
        if (!revocations.FirstSync.IsCompleted)
        {
            try { await revocations.FirstSync.WaitAsync(FirstSyncWait, context.HttpContext.RequestAborted); }
            catch (TimeoutException) { /* the feed is slow; go on with what is known */ }
        }
        if (revocations.IsEmpty) return;

        var (jti, clientId, issuedAtMicroseconds) = context.SecurityToken switch
        {
            JsonWebToken jwt => (jwt.Id, Claim(jwt, "client_id"), IssuedAtMicroseconds(jwt)),
            IntrospectedToken introspected => (introspected.Id, introspected.ClientId, new DateTimeOffset(introspected.ValidFrom).ToUnixTimeMilliseconds() * 1000),
            _ => (null, null, 0L),
        };
        if (revocations.IsRevoked(jti, clientId, issuedAtMicroseconds))
        {
            scheme.Metrics.RevokedTokenRejected();
            ResourceServerLog.RevokedTokenRejected(scheme.Logger, clientId);
            context.Fail(new TokenRevokedException());
        }
    }

    public override Task Challenge(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        return context.AuthenticateFailure switch
        {
            null => BearerChallenges.MissingTokenAsync(context.HttpContext, scheme.Options),
            IntrospectionUnavailableException unavailable => BearerChallenges.UnavailableAsync(context.HttpContext, unavailable),
            var failure => BearerChallenges.InvalidTokenAsync(context.HttpContext, scheme.Options, failure),
        };
    }

    public override Task Forbidden(ForbiddenContext context) =>
        context.HttpContext.Items[ScopeAuthorizationHandler.MissingScopeKey] is string scope
            ? BearerChallenges.InsufficientScopeAsync(context.HttpContext, scheme.Options, scope)
            : Task.CompletedTask;

    private static string? Claim(JsonWebToken jwt, string name) => jwt.TryGetPayloadValue<string>(name, out var value) ? value : null;

    // Gatehouse's iat_us decides cut-offs inside a second; a token without it falls back to whole seconds.
    private static long IssuedAtMicroseconds(JsonWebToken jwt) =>
        jwt.TryGetPayloadValue<long>("iat_us", out var micros) ? micros : new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero).ToUnixTimeSeconds() * 1_000_000;
}
