using Gatehouse.Server.Hosting;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Pages;
using Gatehouse.Server.Pages.Shared;
using Microsoft.AspNetCore.WebUtilities;

namespace Gatehouse.Server.Endpoints.Authorize;

/// Answers to the client's redirect URI (RFC 6749 §4.1.2), always with `state` and, RFC 9207, `iss`:
/// in the query, or as a form the browser posts (OAuth 2.0 Form Post Response Mode).
internal sealed class AuthorizationResponses(IssuerUrl issuer)
{
    public IResult Code(HttpContext context, ClientRedirect to, string code) => Send(context, to, [new("code", code)]);

    public IResult Error(HttpContext context, ClientRedirect to, OAuthError error)
    {
        var fields = new List<KeyValuePair<string, string>> { new("error", error.Code) };
        if (error.Description is { } description) fields.Add(new("error_description", description));
        return Send(context, to, fields);
    }

    private IResult Send(HttpContext context, ClientRedirect to, List<KeyValuePair<string, string>> fields)
    {
        if (to.State is { } state) fields.Add(new("state", state));
        fields.Add(new("iss", issuer.Value));
        if (to.ResponseMode == ResponseModes.FormPost)
            return PageResults.Page<FormPostPage>(context, new { Action = to.RedirectUri, Fields = fields, Environment = PageResults.EnvironmentOf(context) });
        var location = to.RedirectUri;
        foreach (var (name, value) in fields) location = QueryHelpers.AddQueryString(location, name, value);
        return PageResults.Redirect(context, location);
    }
}
