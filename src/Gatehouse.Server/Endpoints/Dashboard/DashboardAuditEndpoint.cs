using Gatehouse.Server.Dashboard;
using Gatehouse.Server.Pages;
using Gatehouse.Server.Pages.Dashboard;
using Gatehouse.Server.Storage;
using Microsoft.AspNetCore.WebUtilities;

namespace Gatehouse.Server.Endpoints.Dashboard;

/// GET /dashboard/audit?client=&actor=&page=: newest first, 50 a page. A developer reads the entries
/// about their teams' clients; an operator reads all. Audit entries never hold a secret's value.
internal static class DashboardAuditEndpoint
{
    private const int PageSize = 50;

    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/dashboard/audit", HandleAsync);

    private static async Task<IResult> HandleAsync(HttpContext context, DashboardSignIn signIn, DashboardAccess access, IAuditLog audit,
        CancellationToken ct)
    {
        var (person, refusal) = await DashboardGate.EnterAsync(context, signIn, ct);
        if (person is null) return refusal!;
        var query = context.Request.Query;
        var client = query["client"].ToString().Trim() is { Length: > 0 } c ? c : null;
        var actor = query["actor"].ToString().Trim() is { Length: > 0 } a ? a : null;
        var page = int.TryParse(query["page"], out var p) && p > 0 ? p : 1;

        var visible = (await access.VisibleAsync(person, ct)).Select(v => v.ClientId).ToHashSet(StringComparer.Ordinal);
        var matching = new List<AuditRecord>();
        for (long after = 0; ;)
        {
            var batch = await audit.ReadAsync(after, 1000, ct);
            if (batch.Count == 0) break;
            after = batch[^1].Id;
            matching.AddRange(batch.Where(r => DashboardAccess.CanRead(visible, person, r.Entry)
                && (client is null || r.Entry.Target == client)
                && (actor is null || r.Entry.Actor.Contains(actor, StringComparison.OrdinalIgnoreCase))));
        }
        matching.Reverse();
        var rows = matching.Skip((page - 1) * PageSize).Take(PageSize)
            .Select(r => new AuditRow(r.Id, r.Entry.At, r.Entry.Actor, r.Entry.Action, r.Entry.Target, r.Entry.Details)).ToArray();

        string Href(int n) => QueryHelpers.AddQueryString("/dashboard/audit", new Dictionary<string, string?>
        {
            ["client"] = client, ["actor"] = actor, ["page"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }.Where(kv => kv.Value is not null));
        return PageResults.Page<AuditPage>(context, new
        {
            Environment = PageResults.EnvironmentOf(context),
            Viewer = DashboardGate.Viewer(context, person),
            Rows = (IReadOnlyList<AuditRow>)rows,
            Client = client,
            Actor = actor,
            PageNumber = page,
            PreviousHref = page > 1 ? Href(page - 1) : null,
            NextHref = matching.Count > page * PageSize ? Href(page + 1) : null,
        });
    }
}
