using Gatehouse.Server.Clients;
using Gatehouse.Server.Dashboard;
using Gatehouse.Server.Pages;
using Gatehouse.Server.Pages.Dashboard;

namespace Gatehouse.Server.Endpoints.Dashboard;

/// The client list, a client's page and `New client`. Every change goes through ClientManagement, the
/// management API's own code, with the signed-in person as the actor.
internal static class DashboardClientEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/dashboard", ListAsync);
        app.MapGet("/dashboard/clients", ListAsync);
        app.MapGet("/dashboard/clients/new", NewAsync);
        app.MapPost("/dashboard/clients", CreateAsync);
        app.MapGet("/dashboard/clients/{clientId}", ShowAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext context, DashboardSignIn signIn, DashboardAccess access, SecretUsageRecorder usage,
        CancellationToken ct)
    {
        var (person, refusal) = await DashboardGate.EnterAsync(context, signIn, ct);
        if (person is null) return refusal!;
        var rows = (await access.VisibleAsync(person, ct))
            .Select(c => new ClientRow(c.ClientId, c.Name, c.Team, c.ScopeString, c.CreatedAt,
                c.Secrets.Select(s => LastUsed(s, usage)).Max()))
            .ToArray();
        return PageResults.Page<ClientListPage>(context, new
        {
            Environment = PageResults.EnvironmentOf(context),
            Viewer = DashboardGate.Viewer(context, person),
            Clients = (IReadOnlyList<ClientRow>)rows,
            CanCreate = person.IsOperator || person.User.Teams.Count > 0,
        });
    }

    private static async Task<IResult> ShowAsync(string clientId, HttpContext context, DashboardSignIn signIn, DashboardAccess access,
        SecretUsageRecorder usage, DashboardUsage usageChart, CancellationToken ct)
    {
        var (person, refusal) = await DashboardGate.EnterAsync(context, signIn, ct);
        if (person is null) return refusal!;
        if (await access.FindAsync(person, clientId, ct) is not { } client) return DashboardGate.NotFound(context);
        return PageResults.Page<ClientPage>(context, new
        {
            Environment = PageResults.EnvironmentOf(context),
            Viewer = DashboardGate.Viewer(context, person),
            Client = Detail(client),
            Secrets = (IReadOnlyList<SecretRow>)client.Secrets.OrderBy(s => s.CreatedAt)
                .Select(s => new SecretRow(s.SecretId, s.CreatedAt, LastUsed(s, usage), s.RevokedAt)).ToArray(),
            Form = PageResults.Form(context),
            AddSecretBlocked = client.LiveSecrets.Count() >= ClientManagement.MaxLiveSecrets
                ? $"This client already has {ClientManagement.MaxLiveSecrets} live secrets. Revoke one before adding another."
                : null,
            Usage = await usageChart.SeriesAsync(client.ClientId, ct),
        });
    }

    private static async Task<IResult> NewAsync(HttpContext context, DashboardSignIn signIn, CancellationToken ct)
    {
        var (person, refusal) = await DashboardGate.EnterAsync(context, signIn, ct);
        if (person is null) return refusal!;
        if (!person.IsOperator && person.User.Teams.Count == 0)
            return PageResults.Error(context, "You have no team", "A developer creates clients for one of their teams, and you belong to none.", 403);
        return NewPage(context, person, null, null, null);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, DashboardSignIn signIn, ClientManagement management, CancellationToken ct)
    {
        var (person, refusal) = await DashboardGate.EnterAsync(context, signIn, ct);
        if (person is null) return refusal!;
        if (!await PageResults.IsGenuineFormAsync(context)) return PageResults.ForgedForm(context);
        var form = await context.Request.ReadFormAsync(ct);
        var name = form["name"].ToString().Trim();
        var team = form["team"].ToString() is { Length: > 0 } t ? t : null;
        if (!DashboardAccess.MayCreateFor(person, team))
            return NewPage(context, person, name, team, "Choose one of your teams.", StatusCodes.Status400BadRequest);
        // Default scopes, as `clients create` without --scope: granting more is an operator's action elsewhere.
        var created = await management.CreateAsync(new ClientRegistration(Name: name, Team: team), person.Actor(context), ct);
        if (created.IsError) return NewPage(context, person, name, team, created.Error.Description, StatusCodes.Status400BadRequest);
        var client = created.Value.Client;
        return PageResults.Page<SecretShownPage>(context, new
        {
            Environment = PageResults.EnvironmentOf(context),
            Viewer = DashboardGate.Viewer(context, person),
            Heading = $"Client {client.Name} created",
            ClientId = client.ClientId,
            ClientName = client.Name,
            SecretId = client.Secrets[0].SecretId,
            Value = created.Value.Secret!,
        });
    }

    private static IResult NewPage(HttpContext context, DashboardPerson person, string? name, string? team, string? problem, int status = 200) =>
        PageResults.Page<NewClientPage>(context, new
        {
            Environment = PageResults.EnvironmentOf(context),
            Viewer = DashboardGate.Viewer(context, person),
            Teams = person.User.Teams,
            Form = PageResults.Form(context),
            Name = name,
            Team = team,
            Problem = problem,
        }, status);

    internal static DateTimeOffset? LastUsed(ClientSecret secret, SecretUsageRecorder usage) =>
        usage.PendingLastUsed(secret.SecretId) is { } pending && (secret.LastUsedAt is null || pending > secret.LastUsedAt) ? pending : secret.LastUsedAt;

    private static ClientDetail Detail(Client c) => new(c.ClientId, c.Name, c.Team, c.Scopes, c.Audiences, c.GrantTypes, c.TokenEndpointAuthMethod,
        c.RateLimitPerSecond is { } limit ? $"{limit} per second" : "server default", c.RedirectUris, c.CreatedAt,
        c.TokensRevokedBeforeMicroseconds is { } us && us < long.MaxValue ? DateTimeOffset.UnixEpoch.AddTicks(us * 10) : null, c.IsPublic);
}
