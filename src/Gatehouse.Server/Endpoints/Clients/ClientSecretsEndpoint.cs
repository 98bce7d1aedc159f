using Gatehouse.Server.Clients;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Storage;

namespace Gatehouse.Server.Endpoints.Clients;

/// Seed 002's zero-downtime rotation: list, add (at most two live) and revoke a client's secrets.
/// The operator, or the client itself with one of its live secrets.
internal static class ClientSecretsEndpoint
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/oauth/clients/{clientId}/secrets", ListAsync);
        app.MapPost("/oauth/clients/{clientId}/secrets", AddAsync);
        app.MapDelete("/oauth/clients/{clientId}/secrets/{secretId}", RevokeAsync);
    }

    private static async Task<IResult> ListAsync(string clientId, HttpContext context, ManagementAccess access, IClientStore store,
        SecretUsageRecorder usage, CancellationToken ct)
    {
        var actor = await access.RequireOperatorOrClientAsync(context.Request, clientId);
        if (actor.IsError) return OAuthResults.Problem(actor.Error);
        var client = await store.FindAsync(clientId, ct);
        if (client is null) return OAuthResults.Problem(OAuthError.NotFound($"No client {Echo.Quoted(clientId)}."));
        return ManagementJson.Ok(context, new { secrets = client.Secrets.Select(s => ManagementJson.SecretView(client, s, usage)) });
    }

    private static async Task<IResult> AddAsync(string clientId, HttpContext context, ManagementAccess access, ClientManagement management,
        CancellationToken ct)
    {
        var actor = await access.RequireOperatorOrClientAsync(context.Request, clientId, change: true);
        if (actor.IsError) return OAuthResults.Problem(actor.Error);
        var added = await management.AddSecretAsync(clientId, actor.Value, ct);
        if (added.IsError) return OAuthResults.Problem(added.Error);
        context.Response.Headers.Location = $"/oauth/clients/{clientId}/secrets/{added.Value.Secret.SecretId}";
        return ManagementJson.Ok(context, new
        {
            secret_id = added.Value.Secret.SecretId,
            client_secret = added.Value.Value,
            created_at = added.Value.Secret.CreatedAt,
        }, StatusCodes.Status201Created);
    }

    private static async Task<IResult> RevokeAsync(string clientId, string secretId, HttpContext context, ManagementAccess access,
        ClientManagement management, CancellationToken ct)
    {
        var actor = await access.RequireOperatorOrClientAsync(context.Request, clientId, change: true);
        if (actor.IsError) return OAuthResults.Problem(actor.Error);
        var revoked = await management.RevokeSecretAsync(clientId, secretId, actor.Value, ct);
        return revoked.IsError ? OAuthResults.Problem(revoked.Error) : ManagementJson.NoContent(context);
    }
}
