using Gatehouse.Server.Clients;
using Gatehouse.Server.OAuth;

namespace Gatehouse.Server.Endpoints.Clients;

/// DELETE /oauth/clients/{client_id}/tokens: seed 002's emergency "revoke all outstanding access tokens
/// for a client", which forces every cache to re-mint. The operator, or the client itself.
internal static class ClientTokensEndpoint
{
    public static void Map(IEndpointRouteBuilder app) => app.MapDelete("/oauth/clients/{clientId}/tokens", RevokeAllAsync);

    private static async Task<IResult> RevokeAllAsync(string clientId, HttpContext context, ManagementAccess access,
        ClientManagement management, CancellationToken ct)
    {
        var actor = await access.RequireOperatorOrClientAsync(context.Request, clientId, change: true);
        if (actor.IsError) return OAuthResults.Problem(actor.Error);
        var revoked = await management.RevokeAllTokensAsync(clientId, actor.Value, ct);
        if (revoked.IsError) return OAuthResults.Problem(revoked.Error);
        return ManagementJson.Ok(context, new
        {
            client_id = clientId,
            revoked_before = DateTimeOffset.UnixEpoch.AddTicks(revoked.Value * 10),
            revoked_before_us = revoked.Value,
        });
    }
}
