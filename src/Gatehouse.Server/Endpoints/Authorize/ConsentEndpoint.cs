using Gatehouse.Server.Clients;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Pages;
using Gatehouse.Server.Sessions;
using Gatehouse.Server.Storage;

namespace Gatehouse.Server.Endpoints.Authorize;

/// POST /oauth/consent: Allow records the consent and sends the code; Deny sends access_denied (SPEC 8).
/// The form is bound to the session that saw it.
internal static class ConsentEndpoint
{
    public static void Map(IEndpointRouteBuilder app) => app.MapPost("/oauth/consent", HandleAsync);

    private static async Task<IResult> HandleAsync(HttpContext context, AuthorizationRequestProtector protector, ClientRegistry clients,
        SignInSessions sessions, IGrantStore grants, AuthorizationFlow flow, AuthorizationResponses responses, TimeProvider clock, CancellationToken ct)
    {
        if (!await PageResults.IsGenuineFormAsync(context)) return PageResults.ForgedForm(context);
        var form = await context.Request.ReadFormAsync(ct);
        var current = await sessions.CurrentAsync(context, ct);
        if (protector.Unprotect(form["request"], FormPurposes.Consent) is not var (request, sid) ||
            !clients.TryGet(request.ClientId, out var client) || !RedirectUris.IsRegistered(client, request.RedirectUri) ||
            current is not var (session, user) || session.Sid != sid)
            return PageResults.Error(context, "Sign-in expired", "This sign-in took too long or was changed. Go back to the application and start again.");

        var to = AuthorizationFlow.RedirectOf(request);
        switch (form["decision"].ToString())
        {
            case "deny":
                return responses.Error(context, to, new OAuthError(OAuthErrorCodes.AccessDenied, "The person declined."));
            case "allow":
                var remembered = await grants.FindConsentAsync(user.Sub, client.ClientId, ct);
                await grants.SaveConsentAsync(user.Sub, client.ClientId, remembered.Union(Scopes.Split(request.Scope)).ToArray(), clock.GetUtcNow(), ct);
                return await flow.IssueCodeAsync(context, request, session, user, ct);
            default:
                return PageResults.Error(context, "Choose Allow or Deny", "The consent form was sent without a decision.");
        }
    }
}
