using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Grants;
using Gatehouse.Server.Endpoints.Token;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Sessions;
using Gatehouse.Server.Tokens;
using Gatehouse.Server.Users;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gatehouse.Server.Dashboard;

/// The person using the dashboard: who, through which sign-in session, and the ID token for signing out.
internal sealed record DashboardPerson(User User, string Sid, string IdToken)
{
    public bool IsOperator => User.Role == UserRoles.Operator;

    /// The audit log's name for this person.
    public Actor Actor(HttpContext context) => new("user:" + User.Email, context.Connection.RemoteIpAddress?.ToString());
}

/// The dashboard's own OIDC sign-in (SPEC 9): authorization code with PKCE against this server, the code
/// redeemed in-process through the token endpoint's grant handler. Two cookies, both sealed with Data
/// Protection: a ten-minute one holding state, nonce and verifier between the redirect and the callback,
/// and the dashboard cookie holding sub, sid, id_token and expiry. Every request also needs the sign-in
/// session (`sid`) to be live in the store, so ending it anywhere ends the dashboard too.
internal sealed class DashboardSignIn(DashboardClient dashboardClient, ClientRegistry clients, TokenGrantHandlers grants, TokenIssuer issuer,
    SignInSessions sessions, IssuerUrl issuerUrl, IDataProtectionProvider protection, TimeProvider clock)
{
    private static readonly TimeSpan ChallengeLifetime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(8);

    private sealed record Challenge(string State, string Nonce, string Verifier, string ReturnPath);

    private sealed record Ticket(string Sub, string Sid, string IdToken, DateTimeOffset ExpiresAt);

    private bool Secure => issuerUrl.Value.StartsWith("https://", StringComparison.Ordinal);

    public string CookieName => Secure ? "__Host-gh_dashboard" : "gh_dashboard";

    private string ChallengeCookieName => Secure ? "__Host-gh_dashboard_auth" : "gh_dashboard_auth";

    private ITimeLimitedDataProtector Protector(string purpose) =>
        protection.CreateProtector("gatehouse.dashboard.v1", purpose).ToTimeLimitedDataProtector();

    /// The signed-in person, or null: no or unreadable cookie, expired, sign-in session ended, person gone or disabled.
    public async Task<DashboardPerson?> CurrentAsync(HttpContext context, CancellationToken ct)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var sealedTicket)) return null;
        var ticket = Unseal<Ticket>("ticket", sealedTicket);
        if (ticket is null || ticket.ExpiresAt <= clock.GetUtcNow()) return null;
        if (await sessions.CurrentAsync(context, ct) is not var (session, user)) return null;
        if (session.Sid != ticket.Sid || user.Sub != ticket.Sub) return null;
        return new DashboardPerson(user, ticket.Sid, ticket.IdToken);
    }

    /// Sends the browser to the authorization endpoint, remembering where it was going.
    public async Task<IResult> ChallengeAsync(HttpContext context, CancellationToken ct)
    {
        await dashboardClient.EnsureAsync(ct);
        var returnPath = HttpMethods.IsGet(context.Request.Method) ? context.Request.Path + context.Request.QueryString : "/dashboard";
        var challenge = new Challenge(Random(), Random(), Random(), returnPath);
        context.Response.Cookies.Append(ChallengeCookieName, Seal("challenge", challenge, ChallengeLifetime), CookieOptions(clock.GetUtcNow() + ChallengeLifetime));
        var url = QueryHelpers.AddQueryString(issuerUrl.Endpoint("/oauth/authorize"), new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = DashboardClient.ClientId,
            ["redirect_uri"] = dashboardClient.RedirectUri,
            ["scope"] = DashboardClient.Scope,
            ["state"] = challenge.State,
            ["nonce"] = challenge.Nonce,
            ["code_challenge"] = Pkce.ChallengeOf(challenge.Verifier),
            ["code_challenge_method"] = "S256",
        });
        return Pages.PageResults.Redirect(context, url);
    }

    /// GET /dashboard/callback: checks state, redeems the code as the token endpoint would, checks the nonce,
    /// and returns the path to go back to, or an error to show.
    public async Task<Outcome<string>> CompleteAsync(HttpContext context, CancellationToken ct)
    {
        var query = context.Request.Query;
        var challenge = context.Request.Cookies.TryGetValue(ChallengeCookieName, out var sealedChallenge) ? Unseal<Challenge>("challenge", sealedChallenge) : null;
        context.Response.Cookies.Delete(ChallengeCookieName, CookieOptions(null));
        if (challenge is null) return OAuthError.InvalidRequest("The sign-in took too long or was started in another browser. Try again.");
        if (query["state"].ToString() is not { Length: > 0 } state || !FixedEquals(state, challenge.State))
            return OAuthError.InvalidRequest("The sign-in answer does not belong to this browser's sign-in. Try again.");
        if (query["error"].ToString() is { Length: > 0 } error) return OAuthError.InvalidRequest($"Sign-in did not complete ({error}).");
        if (query["code"].ToString() is not { Length: > 0 } code) return OAuthError.InvalidRequest("The sign-in answer has no code.");

        await dashboardClient.EnsureAsync(ct);
        if (!clients.TryGet(DashboardClient.ClientId, out var client)) return OAuthError.TemporarilyUnavailable();
        var handler = grants.For(GrantTypes.AuthorizationCode)!;
        var form = new FormCollection(new()
        {
            ["grant_type"] = GrantTypes.AuthorizationCode,
            ["code"] = code,
            ["redirect_uri"] = dashboardClient.RedirectUri,
            ["code_verifier"] = challenge.Verifier,
        });
        var grant = await handler.ValidateAsync(new AuthenticatedClient(client, null), form, ct);
        if (grant.IsError) return grant.Error;
        if (issuer.Issue(grant.Value) is not { IdToken: { } idToken } token) return OAuthError.TemporarilyUnavailable();
        var completed = await handler.CompleteAsync(grant.Value, token, ct);
        if (completed.IsError) return completed.Error;

        var jwt = new JsonWebToken(idToken);
        if (!jwt.TryGetPayloadValue<string>("nonce", out var nonce) || !FixedEquals(nonce, challenge.Nonce))
            return OAuthError.InvalidRequest("The ID token does not carry this sign-in's nonce.");
        jwt.TryGetPayloadValue<string>("sid", out var sid);
        if (await sessions.CurrentAsync(context, ct) is not var (session, _) || session.Sid != sid)
            return OAuthError.InvalidRequest("The sign-in session ended before the dashboard opened. Try again.");

        var expiresAt = new[] { session.ExpiresAt, clock.GetUtcNow() + MaxLifetime }.Min();
        var ticket = new Ticket(jwt.Subject, sid, idToken, expiresAt);
        context.Response.Cookies.Append(CookieName, Seal("ticket", ticket, expiresAt - clock.GetUtcNow()), CookieOptions(expiresAt));
        return challenge.ReturnPath.StartsWith("/dashboard", StringComparison.Ordinal) && !challenge.ReturnPath.StartsWith("/dashboard/callback", StringComparison.Ordinal)
            ? challenge.ReturnPath : "/dashboard";
    }

    /// Ends the dashboard session here and returns the RP-Initiated Logout URL that ends the sign-in session too.
    public string SignOut(HttpContext context, DashboardPerson person)
    {
        context.Response.Cookies.Delete(CookieName, CookieOptions(null));
        return QueryHelpers.AddQueryString(issuerUrl.Endpoint("/oauth/logout"), new Dictionary<string, string?>
        {
            ["id_token_hint"] = person.IdToken,
            ["post_logout_redirect_uri"] = dashboardClient.SignedOutUri,
        });
    }

    public void Forget(HttpContext context) => context.Response.Cookies.Delete(CookieName, CookieOptions(null));

    private CookieOptions CookieOptions(DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Secure = Secure,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };

    private string Seal<T>(string purpose, T value, TimeSpan lifetime) => Protector(purpose).Protect(JsonSerializer.Serialize(value), lifetime);

    private T? Unseal<T>(string purpose, string text) where T : class
    {
        try { return JsonSerializer.Deserialize<T>(Protector(purpose).Unprotect(text)); }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException) { return null; }
    }

    private static string Random() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    private static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
