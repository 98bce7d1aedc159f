using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;

namespace PartnerWebApp;

/// A partner's web product with "Sign in with Gatehouse" (seed 002): ASP.NET Core's own OpenID Connect
/// handler, authorization code with PKCE, nothing Gatehouse-specific. Configuration: Gatehouse:Authority,
/// Gatehouse:ClientId, Gatehouse:ClientSecret.
public static class PartnerWebAppHost
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey])) builder.WebHost.UseUrls("http://localhost:5100");
        var gatehouse = builder.Configuration.GetSection("Gatehouse");

        builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(o => o.Cookie.Name = "partner_web")
            .AddOpenIdConnect(o =>
            {
                o.Authority = gatehouse["Authority"] ?? "http://localhost:5080";
                o.ClientId = gatehouse["ClientId"];
                o.ClientSecret = gatehouse["ClientSecret"];
                o.ResponseType = "code";
                o.UsePkce = true;
                // Query, not the handler's default form_post: over plain http (a local walk-through) the browser only
                // returns SameSite=Lax cookies on a top-level GET.
                o.ResponseMode = "query";
                o.RequireHttpsMetadata = o.Authority.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
                o.CorrelationCookie.SameSite = SameSiteMode.Lax;
                o.NonceCookie.SameSite = SameSiteMode.Lax;
                o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.Scope.Clear();
                foreach (var scope in new[] { "openid", "profile", "email", "companies", "offline_access" }) o.Scope.Add(scope);
                o.SaveTokens = true;
                o.GetClaimsFromUserInfoEndpoint = true;
                o.MapInboundClaims = false;
                o.TokenValidationParameters.NameClaimType = "name";
            });
        builder.Services.AddAuthorization();
        builder.Services.AddAntiforgery();
        builder.Services.AddHttpClient();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/", HomePage.RenderAsync);
        app.MapGet("/signin", () => Results.Challenge(new AuthenticationProperties { RedirectUri = "/" }));
        app.MapPost("/refresh", TokenRefresh.RefreshAsync).RequireAuthorization();
        app.MapPost("/signout", async (HttpContext context) =>
        {
            if (!await HomePage.IsGenuineFormAsync(context)) return Results.BadRequest();
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            // RP-Initiated Logout: back to Gatehouse with the id_token_hint, then to /signout-callback-oidc and here.
            return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [OpenIdConnectDefaults.AuthenticationScheme]);
        });
        return app;
    }
}
