using Gatehouse.Server.Dashboard;
using Gatehouse.Server.Pages;
using Gatehouse.Server.Pages.Dashboard;

namespace Gatehouse.Server.Endpoints.Dashboard;

/// What every dashboard request does first: a signed-in person with a dashboard role, or a refusal
/// (a redirect to sign in, or the 403 page for a person without a role).
internal static class DashboardGate
{
    public static async Task<(DashboardPerson? Person, IResult? Refusal)> EnterAsync(HttpContext context, DashboardSignIn signIn, CancellationToken ct)
    {
        var person = await signIn.CurrentAsync(context, ct);
        if (person is null)
        {
            if (context.Request.Cookies.ContainsKey(signIn.CookieName)) signIn.Forget(context);
            return (null, await signIn.ChallengeAsync(context, ct));
        }
        if (!DashboardAccess.MayUseDashboard(person.User))
            return (null, PageResults.Error(context, "No access to the dashboard",
                $"You are signed in as {person.User.Email}, who has no dashboard role. Ask an operator to give you the developer role.",
                StatusCodes.Status403Forbidden));
        return (person, null);
    }

    public static DashboardViewer Viewer(HttpContext context, DashboardPerson person) =>
        new(person.User.Email, person.User.Role!, person.User.Teams, PageResults.Form(context));

    /// SPEC 9: an unknown client and another team's client answer exactly this.
    public static IResult NotFound(HttpContext context) =>
        PageResults.Error(context, "Client not found", "There is no client with this ID that you can manage.", StatusCodes.Status404NotFound);
}
