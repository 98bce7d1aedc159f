using Gatehouse.Server.Clients;
using Gatehouse.Server.Endpoints.Clients;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Storage;

namespace Gatehouse.Server.Endpoints.Revocation;

/// GET /oauth/revocations?since=CURSOR: what resource servers follow to reject revoked tokens without
/// calling us per request. Ordered, resumable; entries leave once the tokens they name have expired
/// (plus Gatehouse:Keys:ClockSkew, the leeway verifiers give exp).
internal static class RevocationFeedEndpoint
{
    private const int PageSize = 1000;

    /// Authenticated, but not allowed: 403, and RFC 6749's code for a client that may not do what it asked.
    private static readonly OAuthError NotAResourceServer = new(OAuthErrorCodes.UnauthorizedClient,
        "Only clients registered as resource servers (\"resource_server\": true, clients create --resource-server) may read the revocation feed.",
        StatusCodes.Status403Forbidden);

    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/oauth/revocations", ReadAsync);

    private static async Task<IResult> ReadAsync(HttpContext context, ClientAuthenticator clients, IRevocationStore store,
        TimeProvider clock, Microsoft.Extensions.Options.IOptions<GatehouseOptions> options, RateLimiting.ClientRequestLimiter limiter,
        CancellationToken ct)
    {
        var caller = clients.Authenticate(context.Request, FormCollection.Empty);
        if (caller.IsError) return OAuthResults.Error(caller.Error);
        // SPEC 7: the feed names every client's revocations (who exists, who had an incident): resource servers only.
        if (!caller.Value.Client.ResourceServer) return OAuthResults.Problem(NotAResourceServer);
        if (limiter.Acquire(caller.Value.Client.ClientId, RateLimiting.ClientRequestKind.FeedRead) is { } limited) return OAuthResults.Error(limited);
        var sinceText = context.Request.Query["since"];
        long since = 0;
        if (sinceText.Count > 1 || (sinceText.Count == 1 && (!long.TryParse(sinceText[0], out since) || since < 0)))
            return OAuthResults.Error(OAuthError.InvalidRequest("since must be a cursor returned by this endpoint (a non-negative integer)."));

        var page = await store.ReadFeedAsync(since, clock.GetUtcNow(), PageSize, ct);
        return ManagementJson.Ok(context, new
        {
            cursor = page.Cursor.ToString(System.Globalization.CultureInfo.InvariantCulture),
            has_more = page.HasMore,
            revocations = page.Entries.Select(e => e.Jti is not null
                ? (object)new { type = "token", jti = e.Jti, client_id = e.ClientId, exp = (e.ExpiresAt - options.Value.Keys.ClockSkew).ToUnixTimeSeconds() }
                : new { type = "client", client_id = e.ClientId, revoked_before_us = e.RevokedBeforeMicroseconds }),
        });
    }
}
