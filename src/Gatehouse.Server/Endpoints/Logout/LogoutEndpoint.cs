using System.Text.Json;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.Pages;
using Gatehouse.Server.Pages.Logout;
using Gatehouse.Server.Pages.Shared;
using Gatehouse.Server.Sessions;
using Gatehouse.Server.Tokens;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Server.Endpoints.Logout;

/// GET and POST /oauth/logout (OpenID Connect RP-Initiated Logout 1.0). An id_token_hint naming the current
/// session's person ends it without asking; otherwise the page asks (`Sign out`). An unregistered
/// post_logout_redirect_uri is an error page: no redirect, the session untouched (§3).
internal static class LogoutEndpoint
{
    public static void Map(IEndpointRouteBuilder app) => app.MapMethods("/oauth/logout", [HttpMethods.Get, HttpMethods.Post], HandleAsync);

    private sealed record LogoutRequest(string? ClientId, string? RedirectUri, string? State);

    private static async Task<IResult> HandleAsync(HttpContext context, ClientRegistry clients, SignInSessions sessions, SigningKeyService keys,
        IssuerUrl issuer, IDataProtectionProvider protection, CancellationToken ct)
    {
        var protector = protection.CreateProtector("gatehouse.logout.v1").ToTimeLimitedDataProtector();
        IEnumerable<KeyValuePair<string, StringValues>> parameters = context.Request.Query;
        if (HttpMethods.IsPost(context.Request.Method))
        {
            if (await PageResults.ReadUrlEncodedFormAsync(context.Request, ct) is not { } form)
                return PageResults.Error(context, "Sign-out could not start", "The sign-out request must be a form (application/x-www-form-urlencoded).");
            // The confirmation form of our own page.
            if (form.ContainsKey("request"))
            {
                if (!await PageResults.IsGenuineFormAsync(context)) return PageResults.ForgedForm(context);
                LogoutRequest? confirmed = null;
                try { confirmed = JsonSerializer.Deserialize<LogoutRequest>(protector.Unprotect(form["request"].ToString())); }
                catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or JsonException or FormatException) { }
                if (confirmed is null) return PageResults.Error(context, "Sign-out expired", "This sign-out took too long. Try again.");
                await sessions.EndAsync(context, ct);
                return SignedOut(context, confirmed);
            }
            parameters = form;
        }

        string? Single(string name) => parameters.FirstOrDefault(p => p.Key == name).Value is { Count: 1 } v && !string.IsNullOrEmpty(v[0]) ? v[0] : null;
        var hint = Single("id_token_hint") is { } hintText ? await ReadHintAsync(hintText, keys, issuer) : null;
        if (Single("id_token_hint") is not null && hint is null)
            return PageResults.Error(context, "Sign-out could not start", "The id_token_hint is not an ID token this service issued.");
        var clientId = Single("client_id") ?? hint?.Audiences.FirstOrDefault();
        if (hint is not null && Single("client_id") is { } named && !hint.Audiences.Contains(named))
            return PageResults.Error(context, "Sign-out could not start", "client_id and id_token_hint name different applications.");
        var redirect = Single("post_logout_redirect_uri");
        Client? client = clientId is not null && clients.TryGet(clientId, out var found) ? found : null;
        if (redirect is not null && (client is null || !client.PostLogoutRedirectUris.Contains(redirect, StringComparer.Ordinal)))
            return PageResults.Error(context, "Sign-out could not start",
                "The address the application asked to return you to after signing out is not one it registered (post_logout_redirect_uri).");
        var request = new LogoutRequest(client?.ClientId, redirect, Single("state"));

        var current = await sessions.CurrentAsync(context, ct);
        if (current is var (_, user) && hint is not null && hint.Subject == user.Sub)
        {
            await sessions.EndAsync(context, ct);
            return SignedOut(context, request);
        }
        return PageResults.Page<LogoutPage>(context, new
        {
            PersonEmail = current?.User.Email,
            Request = protector.Protect(JsonSerializer.Serialize(request), TimeSpan.FromMinutes(15)),
            Form = PageResults.Form(context),
            Environment = PageResults.EnvironmentOf(context),
        });
    }

    private static IResult SignedOut(HttpContext context, LogoutRequest request)
    {
        if (request.RedirectUri is null)
            return PageResults.Page<MessagePage>(context, new
            {
                Title = "You are signed out",
                Message = "You have signed out of Gatehouse on this browser. You can close this window.",
                Environment = PageResults.EnvironmentOf(context),
            });
        var location = request.State is { } state ? QueryHelpers.AddQueryString(request.RedirectUri, "state", state) : request.RedirectUri;
        return PageResults.Redirect(context, location);
    }

    /// §2: the hint is an ID token we issued, checked by signature and issuer; it may have expired.
    private static async Task<JsonWebToken?> ReadHintAsync(string token, SigningKeyService keys, IssuerUrl issuer)
    {
        if (token.Length > 16_384) return null;
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = issuer.Value,
            ValidateAudience = false,
            ValidateLifetime = false,
            ValidTypes = ["JWT"],
            ValidAlgorithms = SigningAlgorithms.All,
            IssuerSigningKeyResolver = (_, _, kid, _) => keys.Current.FindVerificationKey(kid) is { } key ? [key.SecurityKey] : [],
        });
        return result.IsValid ? result.SecurityToken as JsonWebToken : null;
    }
}
