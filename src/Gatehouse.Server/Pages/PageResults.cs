using Gatehouse.Server.OAuth;
using Gatehouse.Server.Pages.Shared;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Pages;

/// The one place that writes pages and browser redirects, with SPEC 8's headers: no-store, a CSP with no
/// inline script and no framing, no referrer. No form-action directive: Chromium applies it to the redirect
/// that follows a form submit, which would block the return to the client.
internal static class PageResults
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void SetPageHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.CacheControl = "no-store";
        headers.Pragma = "no-cache";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
    }

    public static IResult Page<TComponent>(HttpContext context, object parameters, int status = StatusCodes.Status200OK) where TComponent : IComponent
    {
        SetPageHeaders(context.Response);
        return new RazorComponentResult<TComponent>(parameters) { StatusCode = status };
    }

    /// An error we show ourselves (no client to send it to), never a redirect.
    public static IResult Error(HttpContext context, string title, string message, int status = StatusCodes.Status400BadRequest) =>
        Page<MessagePage>(context, new { Title = title, Message = message, Environment = EnvironmentOf(context) }, status);

    /// RFC 9110 §15.4: 303 after a form POST, so the browser follows with GET; 302 otherwise.
    public static IResult Redirect(HttpContext context, string location)
    {
        SetPageHeaders(context.Response);
        context.Response.Headers.Location = location;
        return Results.StatusCode(HttpMethods.IsPost(context.Request.Method) ? StatusCodes.Status303SeeOther : StatusCodes.Status302Found);
    }

    public static PageForm Form(HttpContext context)
    {
        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        var tokens = antiforgery.GetAndStoreTokens(context);
        return new PageForm(tokens.FormFieldName, tokens.RequestToken!);
    }

    /// False for a form without a valid anti-forgery token: the caller refuses it and changes nothing.
    public static async Task<bool> IsGenuineFormAsync(HttpContext context) =>
        context.Request.HasFormContentType && await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context);

    /// A browser form (application/x-www-form-urlencoded) or null for anything else or anything malformed: a page
    /// answers 400 for it, never 500.
    public static async Task<IFormCollection?> ReadUrlEncodedFormAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentType is not { } type || !type.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            return null;
        try { return await request.ReadFormAsync(ct); }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException or InvalidOperationException) { return null; }
    }

    public static IResult ForgedForm(HttpContext context) =>
        Error(context, "This form has expired", "The form was not sent from this site, or it has expired. Go back, reload the page and try again.");

    public static string EnvironmentOf(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<GatehouseOptions>>().Value.Environment;
}
