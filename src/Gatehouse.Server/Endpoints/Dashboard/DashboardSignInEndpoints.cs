using Gatehouse.Server.Dashboard;
using Gatehouse.Server.Pages;
using Gatehouse.Server.Pages.Shared;

namespace Gatehouse.Server.Endpoints.Dashboard;

/// GET /dashboard/callback (the dashboard client's redirect URI), POST /dashboard/sign-out and
/// GET /dashboard/signed-out (its post-logout redirect URI).
internal static class DashboardSignInEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/dashboard/callback", CallbackAsync);
        app.MapPost("/dashboard/sign-out", SignOutAsync);
        app.MapGet("/dashboard/signed-out", SignedOut);
    }

    private static async Task<IResult> CallbackAsync(HttpContext context, DashboardSignIn signIn, CancellationToken ct)
    {
        var completed = await signIn.CompleteAsync(context, ct);
        return completed.IsError
            ? PageResults.Error(context, "Sign-in could not finish", completed.Error.Description ?? completed.Error.Code)
            : PageResults.Redirect(context, completed.Value);
    }

    /// Ends the dashboard session, then RP-Initiated Logout with id_token_hint ends the sign-in session too.
    private static async Task<IResult> SignOutAsync(HttpContext context, DashboardSignIn signIn, CancellationToken ct)
    {
        if (!await PageResults.IsGenuineFormAsync(context)) return PageResults.ForgedForm(context);
        var person = await signIn.CurrentAsync(context, ct);
        if (person is null)
        {
            signIn.Forget(context);
            return PageResults.Redirect(context, "/dashboard/signed-out");
        }
        return PageResults.Redirect(context, signIn.SignOut(context, person));
    }

    private static IResult SignedOut(HttpContext context) =>
        PageResults.Page<MessagePage>(context, new
        {
            Title = "You are signed out",
            Message = "You have signed out of the Gatehouse dashboard and of Gatehouse on this browser.",
            Environment = PageResults.EnvironmentOf(context),
        });
}
