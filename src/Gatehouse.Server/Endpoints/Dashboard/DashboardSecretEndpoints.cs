using Gatehouse.Server.Clients;
using Gatehouse.Server.Dashboard;
using Gatehouse.Server.Pages;
using Gatehouse.Server.Pages.Dashboard;

namespace Gatehouse.Server.Endpoints.Dashboard;

/// Seed 002's rotation from the client page: `Add secret` (the value shown in this one response), `Revoke`
/// a secret and `Revoke all tokens`, each revocation behind a confirmation page (GET) whose form POSTs.
/// Access is checked before anything else, so another team's client answers like an unknown one.
internal static class DashboardSecretEndpoints
{
    public const string ConfirmRevokeSecret = "Revoke this secret";
    public const string ConfirmRevokeTokens = "Revoke every token";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/dashboard/clients/{clientId}/secrets", AddAsync);
        app.MapGet("/dashboard/clients/{clientId}/secrets/{secretId}/revoke", ConfirmRevokeAsync);
        app.MapPost("/dashboard/clients/{clientId}/secrets/{secretId}/revoke", RevokeAsync);
        app.MapGet("/dashboard/clients/{clientId}/revoke-tokens", ConfirmRevokeTokensAsync);
        app.MapPost("/dashboard/clients/{clientId}/revoke-tokens", RevokeTokensAsync);
    }

    private static async Task<IResult> AddAsync(string clientId, HttpContext context, DashboardSignIn signIn, DashboardAccess access,
        ClientManagement management, CancellationToken ct)
    {
        var (person, refusal) = await DashboardGate.EnterAsync(context, signIn, ct);
        if (person is null) return refusal!;
        if (await access.FindAsync(person, clientId, ct) is not { } client) return DashboardGate.NotFound(context);
        if (!await PageResults.IsGenuineFormAsync(context)) return PageResults.ForgedForm(context);
        var added = await management.AddSecretAsync(clientId, person.Actor(context), ct);
        if (added.IsError) return PageResults.Error(context, "No secret added", added.Error.Description ?? added.Error.Code, added.Error.Status);
        return PageResults.Page<SecretShownPage>(context, new
        {
            Environment = PageResults.EnvironmentOf(context),
            Viewer = DashboardGate.Viewer(context, person),
            Heading = "New secret",
            ClientId = client.ClientId,
            ClientName = client.Name,
            SecretId = added.Value.Secret.SecretId,
            Value = added.Value.Value,
        });
    }

    private static async Task<IResult> ConfirmRevokeAsync(string clientId, string secretId, HttpContext context, DashboardSignIn signIn,
        DashboardAccess access, CancellationToken ct)
    {
        var (person, refusal) = await DashboardGate.EnterAsync(context, signIn, ct);
        if (person is null) return refusal!;
        if (await access.FindAsync(person, clientId, ct) is not { } client) return DashboardGate.NotFound(context);
        if (!client.LiveSecrets.Any(s => s.SecretId == secretId))
            return PageResults.Error(context, "Secret not found", "This client has no live secret with this ID.", StatusCodes.Status404NotFound);
        return Confirm(context, person, client, "Revoke secret",
            $"Revoke secret {secretId} of {client.Name}? From now on Gatehouse refuses it at the token endpoint. Tokens already minted with it stay valid until they expire.",
            $"/dashboard/clients/{clientId}/secrets/{secretId}/revoke", ConfirmRevokeSecret);
    }

    private static async Task<IResult> RevokeAsync(string clientId, string secretId, HttpContext context, DashboardSignIn signIn,
        DashboardAccess access, ClientManagement management, CancellationToken ct)
    {
        var (person, refusal) = await DashboardGate.EnterAsync(context, signIn, ct);
        if (person is null) return refusal!;
        if (await access.FindAsync(person, clientId, ct) is null) return DashboardGate.NotFound(context);
        if (!await PageResults.IsGenuineFormAsync(context)) return PageResults.ForgedForm(context);
        var revoked = await management.RevokeSecretAsync(clientId, secretId, person.Actor(context), ct);
        if (revoked.IsError) return PageResults.Error(context, "Secret not found", "This client has no live secret with this ID.", StatusCodes.Status404NotFound);
        return PageResults.Redirect(context, $"/dashboard/clients/{clientId}");
    }

    private static async Task<IResult> ConfirmRevokeTokensAsync(string clientId, HttpContext context, DashboardSignIn signIn,
        DashboardAccess access, CancellationToken ct)
    {
        var (person, refusal) = await DashboardGate.EnterAsync(context, signIn, ct);
        if (person is null) return refusal!;
        if (await access.FindAsync(person, clientId, ct) is not { } client) return DashboardGate.NotFound(context);
        return Confirm(context, person, client, "Revoke all tokens",
            $"Revoke every access and refresh token of {client.Name}? Each becomes inactive at once; the client must request new ones with a live secret.",
            $"/dashboard/clients/{clientId}/revoke-tokens", ConfirmRevokeTokens);
    }

    private static async Task<IResult> RevokeTokensAsync(string clientId, HttpContext context, DashboardSignIn signIn,
        DashboardAccess access, ClientManagement management, CancellationToken ct)
    {
        var (person, refusal) = await DashboardGate.EnterAsync(context, signIn, ct);
        if (person is null) return refusal!;
        if (await access.FindAsync(person, clientId, ct) is null) return DashboardGate.NotFound(context);
        if (!await PageResults.IsGenuineFormAsync(context)) return PageResults.ForgedForm(context);
        var revoked = await management.RevokeAllTokensAsync(clientId, person.Actor(context), ct);
        if (revoked.IsError) return DashboardGate.NotFound(context);
        return PageResults.Redirect(context, $"/dashboard/clients/{clientId}");
    }

    private static IResult Confirm(HttpContext context, DashboardPerson person, Client client, string heading, string message, string action,
        string confirmText) =>
        PageResults.Page<ConfirmPage>(context, new
        {
            Environment = PageResults.EnvironmentOf(context),
            Viewer = DashboardGate.Viewer(context, person),
            Heading = heading,
            Message = message,
            Action = action,
            ConfirmText = confirmText,
            CancelHref = $"/dashboard/clients/{client.ClientId}",
            Form = PageResults.Form(context),
        });
}
