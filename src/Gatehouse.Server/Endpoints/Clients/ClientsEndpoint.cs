using Gatehouse.Server.Clients;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Storage;

namespace Gatehouse.Server.Endpoints.Clients;

/// /oauth/clients and /oauth/clients/{client_id}: registration and administration, operator only.
internal static class ClientsEndpoint
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/oauth/clients", CreateAsync);
        app.MapGet("/oauth/clients", ListAsync);
        app.MapGet("/oauth/clients/{clientId}", ReadAsync);
        app.MapPatch("/oauth/clients/{clientId}", UpdateAsync);
        app.MapDelete("/oauth/clients/{clientId}", DeleteAsync);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ManagementAccess access, ClientManagement management, CancellationToken ct)
    {
        var actor = await access.RequireOperatorAsync(context.Request);
        if (actor.IsError) return OAuthResults.Problem(actor.Error);
        var registration = await ManagementJson.ReadRegistrationAsync(context.Request, ct);
        if (registration.IsError) return OAuthResults.Problem(registration.Error);
        var created = await management.CreateAsync(registration.Value, actor.Value, ct);
        if (created.IsError) return OAuthResults.Problem(created.Error);

        var client = created.Value.Client;
        var body = (Dictionary<string, object?>)ManagementJson.View(client, withSecrets: false);
        if (created.Value.Secret is { } secret)
        {
            // RFC 7591 §3.2.1: the secret is returned once, here, and never again.
            body["client_secret"] = secret;
            body["secret_id"] = client.Secrets[0].SecretId;
        }
        context.Response.Headers.Location = $"/oauth/clients/{client.ClientId}";
        return ManagementJson.Ok(context, body, StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(HttpContext context, ManagementAccess access, IClientStore store, CancellationToken ct)
    {
        var actor = await access.RequireOperatorAsync(context.Request);
        if (actor.IsError) return OAuthResults.Problem(actor.Error);
        var clients = await store.LoadAllAsync(ct);
        return ManagementJson.Ok(context, new { clients = clients.Select(c => ManagementJson.View(c, withSecrets: false)) });
    }

    private static async Task<IResult> ReadAsync(string clientId, HttpContext context, ManagementAccess access, IClientStore store,
        SecretUsageRecorder usage, CancellationToken ct)
    {
        var actor = await access.RequireOperatorAsync(context.Request);
        if (actor.IsError) return OAuthResults.Problem(actor.Error);
        var client = await store.FindAsync(clientId, ct);
        return client is null
            ? OAuthResults.Problem(OAuthError.NotFound($"No client {Echo.Quoted(clientId)}."))
            : ManagementJson.Ok(context, ManagementJson.View(client, withSecrets: true, usage));
    }

    private static async Task<IResult> UpdateAsync(string clientId, HttpContext context, ManagementAccess access, ClientManagement management,
        CancellationToken ct)
    {
        var actor = await access.RequireOperatorAsync(context.Request);
        if (actor.IsError) return OAuthResults.Problem(actor.Error);
        var changes = await ManagementJson.ReadRegistrationAsync(context.Request, ct);
        if (changes.IsError) return OAuthResults.Problem(changes.Error);
        var updated = await management.UpdateAsync(clientId, changes.Value, actor.Value, ct);
        return updated.IsError ? OAuthResults.Problem(updated.Error) : ManagementJson.Ok(context, ManagementJson.View(updated.Value, withSecrets: false));
    }

    private static async Task<IResult> DeleteAsync(string clientId, HttpContext context, ManagementAccess access, ClientManagement management,
        CancellationToken ct)
    {
        var actor = await access.RequireOperatorAsync(context.Request);
        if (actor.IsError) return OAuthResults.Problem(actor.Error);
        var deleted = await management.DeleteAsync(clientId, actor.Value, ct);
        return deleted.IsError ? OAuthResults.Problem(deleted.Error) : ManagementJson.NoContent(context);
    }
}
