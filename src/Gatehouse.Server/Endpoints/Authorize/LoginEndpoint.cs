using Gatehouse.Server.Clients;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Pages;
using Gatehouse.Server.Sessions;
using Gatehouse.Server.Users;

namespace Gatehouse.Server.Endpoints.Authorize;

/// POST /oauth/login: the login page's form (SPEC 8). The same message, after the same work, for a wrong
/// email and a wrong password; throttled per account and per address; a new session on success, then the
/// authorization continues (consent or the code) without another round trip.
internal static class LoginEndpoint
{
    public const string Incorrect = "Incorrect email or password.";
    public const string TooManyAttempts = "Too many attempts. Try again in a few minutes.";

    public static void Map(IEndpointRouteBuilder app) => app.MapPost("/oauth/login", HandleAsync);

    private static async Task<IResult> HandleAsync(HttpContext context, AuthorizationRequestProtector protector, ClientRegistry clients,
        UserManagement users, SignInThrottle throttle, SignInSessions sessions, AuthorizationFlow flow, CancellationToken ct)
    {
        if (!await PageResults.IsGenuineFormAsync(context)) return PageResults.ForgedForm(context);
        var form = await context.Request.ReadFormAsync(ct);
        if (protector.Unprotect(form["request"], FormPurposes.Login) is not var (request, _) ||
            !clients.TryGet(request.ClientId, out var client) || !RedirectUris.IsRegistered(client, request.RedirectUri))
            return PageResults.Error(context, "Sign-in expired", "This sign-in took too long or was changed. Go back to the application and start again.");

        var email = form["email"].ToString().Trim();
        var password = form["password"].ToString();
        if (email.Length == 0 || password.Length == 0 || email.Length > 320 || password.Length > 1024)
            return flow.LoginPage(context, request, client, email, Incorrect);
        var attempt = await throttle.BeginAttemptAsync(email, context.Connection.RemoteIpAddress, ct);
        if (attempt is null) return flow.LoginPage(context, request, client, email, TooManyAttempts, StatusCodes.Status429TooManyRequests);

        var checkedUser = await users.VerifyPasswordAsync(email, password, ct);
        if (checkedUser.IsError && checkedUser.Error != UserManagement.AccountDisabled)
            return flow.LoginPage(context, request, client, email, Incorrect); // the attempt stays: a failure
        await throttle.SucceededAsync(attempt, ct);
        if (checkedUser.IsError) return flow.LoginPage(context, request, client, email, checkedUser.Error.Description);
        var session = await sessions.StartAsync(context, checkedUser.Value, ct);
        return await flow.AfterLoginAsync(context, request, client, session, checkedUser.Value, ct);
    }
}
