using Gatehouse.Server.Endpoints.Clients;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Users;

namespace Gatehouse.Server.Endpoints.Users;

/// /oauth/users and /oauth/users/{sub}: people, for operators holding users:manage (SPEC 2, 8).
internal static class UsersEndpoint
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/oauth/users", CreateAsync);
        app.MapGet("/oauth/users", ListAsync);
        app.MapGet("/oauth/users/{sub}", ReadAsync);
        app.MapPatch("/oauth/users/{sub}", UpdateAsync);
        app.MapDelete("/oauth/users/{sub}", DeleteAsync);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ManagementAccess access, UserManagement users, CancellationToken ct)
    {
        var actor = await access.RequireOperatorAsync(context.Request, ManagementScopes.Users);
        if (actor.IsError) return OAuthResults.Problem(actor.Error);
        var registration = await UserJson.ReadAsync(context.Request, ct);
        if (registration.IsError) return OAuthResults.Problem(registration.Error);
        var created = await users.CreateAsync(registration.Value, actor.Value, ct);
        if (created.IsError) return OAuthResults.Problem(created.Error);
        context.Response.Headers.Location = $"/oauth/users/{created.Value.Sub}";
        return ManagementJson.Ok(context, UserView.Of(created.Value), StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(HttpContext context, ManagementAccess access, IUserStore store, CancellationToken ct)
    {
        var actor = await access.RequireOperatorAsync(context.Request, ManagementScopes.Users);
        if (actor.IsError) return OAuthResults.Problem(actor.Error);
        var all = await store.ListAsync(ct);
        return ManagementJson.Ok(context, new { users = all.Select(UserView.Of) });
    }

    private static async Task<IResult> ReadAsync(string sub, HttpContext context, ManagementAccess access, IUserStore store, CancellationToken ct)
    {
        var actor = await access.RequireOperatorAsync(context.Request, ManagementScopes.Users);
        if (actor.IsError) return OAuthResults.Problem(actor.Error);
        var user = await store.FindAsync(sub, ct);
        return user is null
            ? OAuthResults.Problem(OAuthError.NotFound($"No user {Echo.Quoted(sub)}."))
            : ManagementJson.Ok(context, UserView.Of(user));
    }

    private static async Task<IResult> UpdateAsync(string sub, HttpContext context, ManagementAccess access, UserManagement users,
        CancellationToken ct)
    {
        var actor = await access.RequireOperatorAsync(context.Request, ManagementScopes.Users);
        if (actor.IsError) return OAuthResults.Problem(actor.Error);
        var changes = await UserJson.ReadAsync(context.Request, ct);
        if (changes.IsError) return OAuthResults.Problem(changes.Error);
        var updated = await users.UpdateAsync(sub, changes.Value, actor.Value, ct);
        return updated.IsError ? OAuthResults.Problem(updated.Error) : ManagementJson.Ok(context, UserView.Of(updated.Value));
    }

    private static async Task<IResult> DeleteAsync(string sub, HttpContext context, ManagementAccess access, UserManagement users,
        CancellationToken ct)
    {
        var actor = await access.RequireOperatorAsync(context.Request, ManagementScopes.Users);
        if (actor.IsError) return OAuthResults.Problem(actor.Error);
        var deleted = await users.DeleteAsync(sub, actor.Value, ct);
        return deleted.IsError ? OAuthResults.Problem(deleted.Error) : ManagementJson.NoContent(context);
    }
}
