using Gatehouse.ResourceServer.Authorization;
using Gatehouse.ResourceServer.Diagnostics;
using Gatehouse.ResourceServer.Introspection;
using Gatehouse.ResourceServer.Revocation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gatehouse.ResourceServer.Validation;

/// The points where Gatehouse adds to JwtBearer: fetch an unknown key before validating, refuse revoked
/// tokens after, and shape the 401/403/503 answers. The app's own JwtBearer events (<paramref name="appEvents"/>,
/// or its <c>EventsType</c>) still run: after Gatehouse's checks on the way in, before its answers on the way out.
internal sealed class GatehouseBearerEvents(GatehouseScheme scheme, JwtBearerEvents appEvents, Type? appEventsType) : JwtBearerEvents
{
    // If the feed has not answered yet (app start), a request waits this long for it rather than
    // accepting a token the feed may be about to revoke.
    private static readonly TimeSpan FirstSyncWait = TimeSpan.FromSeconds(2);

    public override async Task MessageReceived(MessageReceivedContext context)
    {
        await ReadTokenAsync(context);
        if (context.Result is null) await App(context).MessageReceived(context);
    }

    public override async Task TokenValidated(TokenValidatedContext context)
    {
        await RefuseRevokedAsync(context);
        if (context.Result is null) await App(context).TokenValidated(context);
    }

    public override Task AuthenticationFailed(AuthenticationFailedContext context) => App(context).AuthenticationFailed(context);

    public override async Task Challenge(JwtBearerChallengeContext context)
    {
        await App(context).Challenge(context);
        if (context.Handled) return;
        context.HandleResponse();
        await (context.AuthenticateFailure switch
        {
            null => BearerChallenges.MissingTokenAsync(context.HttpContext, scheme.Options),
            IntrospectionUnavailableException unavailable => BearerChallenges.UnavailableAsync(context.HttpContext, unavailable.RetryAfter),
            MetadataUnavailableException unavailable => BearerChallenges.UnavailableAsync(context.HttpContext, unavailable.RetryAfter),
            var failure => BearerChallenges.InvalidTokenAsync(context.HttpContext, scheme.Options, failure),
        });
    }

    public override async Task Forbidden(ForbiddenContext context)
    {
        await App(context).Forbidden(context);
        if (context.Result is not null || context.Response.HasStarted) return;
        if (context.HttpContext.Items[ScopeAuthorizationHandler.MissingScopeKey] is string scope)
            await BearerChallenges.InsufficientScopeAsync(context.HttpContext, scheme.Options, scope);
    }

    private async Task ReadTokenAsync(MessageReceivedContext context)
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
        if (!scheme.Metadata.IsLoaded)
        {
            // The authority has been unreachable since the API started: a 503 (see Challenge), not a 500.
            try
            {
                await scheme.Metadata.GetConfigurationAsync(context.HttpContext.RequestAborted);
            }
            catch (MetadataUnavailableException unavailable)
            {
                context.Fail(unavailable);
                return;
            }
        }
        if (scheme.Introspection is null && TokenKeyId.Read(token) is { } keyId && !scheme.Metadata.KnowsKey(keyId))
            await scheme.Metadata.RefreshForUnknownKeyAsync(keyId, context.HttpContext.RequestAborted);
    }

    private async Task RefuseRevokedAsync(TokenValidatedContext context)
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
            // The introspection endpoint has applied the client's cut-off already, to the microsecond; its iat has
            // whole seconds only, which would refuse a token minted just after a cut-off. So only the jti check.
            IntrospectedToken introspected => (introspected.Id, introspected.ClientId, long.MaxValue),
            _ => (null, null, 0L),
        };
        if (revocations.IsRevoked(jti, clientId, issuedAtMicroseconds))
        {
            scheme.Metrics.RevokedTokenRejected();
            ResourceServerLog.RevokedTokenRejected(scheme.Logger, clientId);
            context.Fail(new TokenRevokedException());
        }
    }

    // JwtBearer resolves an EventsType per request; Gatehouse took its place, so it resolves it the same way.
    private JwtBearerEvents App(BaseContext<JwtBearerOptions> context) => appEventsType is null
        ? appEvents
        : (JwtBearerEvents)context.HttpContext.RequestServices.GetRequiredService(appEventsType);

    private static string? Claim(JsonWebToken jwt, string name) => jwt.TryGetPayloadValue<string>(name, out var value) ? value : null;

    // Gatehouse's iat_us decides cut-offs inside a second; a token without it falls back to whole seconds.
    private static long IssuedAtMicroseconds(JsonWebToken jwt) =>
        jwt.TryGetPayloadValue<long>("iat_us", out var micros) ? micros : new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero).ToUnixTimeSeconds() * 1_000_000;
}
