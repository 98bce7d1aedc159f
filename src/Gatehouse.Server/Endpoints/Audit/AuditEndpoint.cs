using Gatehouse.Server.Endpoints.Clients;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Storage;

namespace Gatehouse.Server.Endpoints.Audit;

/// GET /oauth/audit?after=ID&limit=N: the audit log, oldest first, for operators.
internal static class AuditEndpoint
{
    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/oauth/audit", ReadAsync);

    private static async Task<IResult> ReadAsync(HttpContext context, ManagementAccess access, IAuditLog audit, CancellationToken ct)
    {
        var actor = await access.RequireOperatorAsync(context.Request);
        if (actor.IsError) return OAuthResults.Problem(actor.Error);
        var query = context.Request.Query;
        long after = 0;
        var limit = 100;
        if (query.TryGetValue("after", out var afterText) && (!long.TryParse(afterText, out after) || after < 0))
            return OAuthResults.Problem(OAuthError.InvalidRequest("after must be an entry id (a non-negative integer)."));
        if (query.TryGetValue("limit", out var limitText) && (!int.TryParse(limitText, out limit) || limit is < 1 or > 1000))
            return OAuthResults.Problem(OAuthError.InvalidRequest("limit must be between 1 and 1000."));

        var records = await audit.ReadAsync(after, limit, ct);
        return ManagementJson.Ok(context, new
        {
            entries = records.Select(AuditView.Of),
            next = records.Count == limit ? records[^1].Id : (long?)null,
        });
    }
}

internal static class AuditView
{
    public static object Of(AuditRecord r) => new
    {
        id = r.Id,
        at = r.Entry.At,
        actor = r.Entry.Actor,
        action = r.Entry.Action,
        target = r.Entry.Target,
        source_address = r.Entry.SourceAddress,
        details = AuditDetails.Parse(r.Entry.Details),
    };
}
