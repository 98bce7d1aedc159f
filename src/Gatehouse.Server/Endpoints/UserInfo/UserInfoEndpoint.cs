using System.Text.Json;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Tokens;
using Gatehouse.Server.Users;

namespace Gatehouse.Server.Endpoints.UserInfo;

/// GET and POST /public/v1/userinfo (OIDC Core §5.3): the signed-in person's claims, exactly as the ID token
/// has them for the granted scopes. Bearer errors per RFC 6750 §3.
internal static class UserInfoEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapMethods("/public/v1/userinfo", [HttpMethods.Get, HttpMethods.Post], HandleAsync);

    private static async Task<IResult> HandleAsync(HttpContext context, AccessTokenValidator tokens, IUserStore users, Hosting.IssuerUrl issuer,
        CancellationToken ct)
    {
        var (token, twice) = await BearerTokenAsync(context.Request, ct);
        if (twice) return OAuthResults.Error(OAuthError.InvalidRequest("Send the access token in the Authorization header or in the body, not both."));
        if (token is null) return OAuthResults.Error(OAuthError.Unauthenticated("A bearer access token is required.") with { ChallengeBasic = false });
        var active = await tokens.FindActiveAsync(token);
        if (active is null) return OAuthResults.Error(OAuthError.InvalidToken("The access token is invalid, expired or revoked."));
        // A client-credentials token names no person, and a management token (audience: this server) is for the
        // management API only (SPEC 5): neither has anything to say here.
        if (active.Subject == active.ClientId || active.Audience == issuer.Value || await users.FindAsync(active.Subject, ct) is not { Disabled: false } user)
            return OAuthResults.Error(OAuthError.InvalidToken("The access token does not belong to a signed-in person."));
        if (!active.HasScope(Scopes.OpenId))
            return OAuthResults.Error(OAuthError.InsufficientScope(Scopes.OpenId, "Userinfo needs a token granted the openid scope."));

        var claims = new Dictionary<string, object> { ["sub"] = user.Sub };
        foreach (var (name, value) in PersonClaims.For(user, active.Scope)) claims[name] = value;
        OAuthResults.SetNoStore(context.Response);
        return Results.Json(claims, JsonOptions);
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// RFC 6750 §2.1 header, or §2.2 form body on POST; a request using both is invalid_request (§2).
    private static async Task<(string? Token, bool Twice)> BearerTokenAsync(HttpRequest request, CancellationToken ct)
    {
        var authorization = request.Headers.Authorization.ToString();
        var header = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization[7..].Trim() is { Length: > 0 } t ? t : null;
        string? body = null;
        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            var form = await OAuthForm.ReadAsync(request, ct);
            if (!form.IsError) body = form.Value.Value("access_token");
        }
        return (header ?? body, header is not null && body is not null);
    }
}
