using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;

namespace PartnerWebApp;

/// The one page: who is signed in and which companies they direct, or a "Sign in with Gatehouse" link.
internal static class HomePage
{
    public static async Task<IResult> RenderAsync(HttpContext context, IAntiforgery antiforgery)
    {
        var html = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Acme Portal</title></head><body><main>");
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            html.Append("<h1>Acme Portal</h1><p>Apply for business funding for your company.</p><p><a href=\"/signin\">Sign in with Gatehouse</a></p>");
        }
        else
        {
            var tokens = antiforgery.GetAndStoreTokens(context);
            var field = $"<input type=\"hidden\" name=\"{tokens.FormFieldName}\" value=\"{tokens.RequestToken}\">";
            html.Append($"<h1>Welcome, {Encode(user.FindFirst("name")?.Value)}</h1>");
            html.Append($"<p>Signed in as <span id=\"email\">{Encode(user.FindFirst("email")?.Value)}</span> (<code id=\"sub\">{Encode(user.FindFirst("sub")?.Value)}</code>)</p>");
            html.Append("<h2>Your companies</h2><ul id=\"companies\">");
            foreach (var claim in user.FindAll("companies"))
            {
                using var company = JsonDocument.Parse(claim.Value);
                var c = company.RootElement;
                html.Append($"<li>{Encode(c.GetProperty("name").GetString())} ({Encode(c.GetProperty("company_number").GetString())}), {Encode(c.GetProperty("role").GetString())}</li>");
            }
            html.Append("</ul>");
            var refreshedAt = await context.GetTokenAsync("refreshed_at");
            if (refreshedAt is not null) html.Append($"<p id=\"refreshed\">Tokens refreshed at {Encode(refreshedAt)}</p>");
            html.Append($"<form method=\"post\" action=\"/refresh\">{field}<button type=\"submit\">Refresh tokens</button></form>");
            html.Append($"<form method=\"post\" action=\"/signout\">{field}<button type=\"submit\">Sign out</button></form>");
        }
        html.Append("</main></body></html>");
        context.Response.Headers.CacheControl = "no-store";
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }

    public static async Task<bool> IsGenuineFormAsync(HttpContext context) =>
        context.Request.HasFormContentType && await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context);

    private static string Encode(string? value) => HtmlEncoder.Default.Encode(value ?? "");
}
