using Gatehouse.Server.Pages;

namespace Gatehouse.Server.Endpoints.Authorize;

/// GET and POST /oauth/authorize (RFC 6749 §4.1.1, OIDC Core §3.1.2): a POST is read exactly like a GET.
internal static class AuthorizeEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapMethods("/oauth/authorize", [HttpMethods.Get, HttpMethods.Post], HandleAsync);

    private static async Task<IResult> HandleAsync(HttpContext context, AuthorizationRequestReader reader, AuthorizationFlow flow,
        AuthorizationResponses responses, CancellationToken ct)
    {
        var request = context.Request;
        IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> parameters = request.Query;
        if (HttpMethods.IsPost(request.Method))
        {
            if (await PageResults.ReadUrlEncodedFormAsync(request, ct) is not { } form)
                return PageResults.Error(context, "Sign-in could not start", "The sign-in request must be a form (application/x-www-form-urlencoded).");
            parameters = form;
        }
        var read = reader.Read(parameters);
        if (read.Request is null)
        {
            return read.ErrorTo is { } to
                ? responses.Error(context, to, read.Error!)
                : PageResults.Error(context, "Sign-in could not start", read.Error!.Description!);
        }
        return await flow.ContinueAsync(context, read.Request, read.Client!, ct);
    }
}
