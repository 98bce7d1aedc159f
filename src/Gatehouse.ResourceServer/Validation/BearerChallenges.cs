using Gatehouse.ResourceServer.Introspection;
using Gatehouse.ResourceServer.Metadata;
using Gatehouse.ResourceServer.Revocation;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.ResourceServer.Validation;

/// The WWW-Authenticate challenges of RFC 6750 §3, each with RFC 9728 §5.1's resource_metadata link so a
/// client can find out where tokens for this API come from.
internal static class BearerChallenges
{
    /// §3.1: a request without credentials gets no error code.
    public static Task MissingTokenAsync(HttpContext context, GatehouseBearerOptions options) =>
        WriteAsync(context, StatusCodes.Status401Unauthorized, options, error: null, description: null, scope: null);

    public static Task InvalidTokenAsync(HttpContext context, GatehouseBearerOptions options, Exception? failure) =>
        WriteAsync(context, StatusCodes.Status401Unauthorized, options, "invalid_token", Describe(failure), scope: null);

    public static Task InsufficientScopeAsync(HttpContext context, GatehouseBearerOptions options, string scope) =>
        WriteAsync(context, StatusCodes.Status403Forbidden, options, "insufficient_scope",
            $"This request needs the scope '{scope}'.", scope);

    /// The authority could not be reached (for introspection, or for its keys): that says nothing about the token, so not a 401.
    public static async Task UnavailableAsync(HttpContext context, TimeSpan? retryAfter)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        var seconds = Math.Max(1, (int)Math.Ceiling((retryAfter ?? TimeSpan.FromSeconds(5)).TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers.CacheControl = "no-store";
        await response.WriteAsJsonAsync(new ErrorBody("temporarily_unavailable", "The authorization server could not be reached to validate the token."));
    }

    private static async Task WriteAsync(HttpContext context, int status, GatehouseBearerOptions options, string? error, string? description, string? scope)
    {
        var parameters = new List<string>(4);
        if (error is not null) parameters.Add($"error=\"{error}\"");
        if (description is not null) parameters.Add($"error_description=\"{Quote(description)}\"");
        if (scope is not null) parameters.Add($"scope=\"{Quote(scope)}\"");
        parameters.Add($"resource_metadata=\"{ProtectedResourceMetadata.UrlFor(context.Request, options)}\"");

        var response = context.Response;
        response.StatusCode = status;
        response.Headers.WWWAuthenticate = "Bearer " + string.Join(", ", parameters);
        response.Headers.CacheControl = "no-store";
        if (error is not null)
            await response.WriteAsJsonAsync(new ErrorBody(error, description, scope));
    }

    // RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E — no quote or backslash.
    private static string Quote(string value) => new(value.Where(c => c is >= ' ' and <= '~' and not '"' and not '\\').ToArray());

    private static string Describe(Exception? failure) => failure switch
    {
        TokenRevokedException => "The token has been revoked.",
        TokenInactiveException => "The token is not active.",
        SecurityTokenExpiredException => "The token has expired.",
        SecurityTokenNotYetValidException => "The token is not valid yet.",
        SecurityTokenInvalidAudienceException => "The token was issued for another audience.",
        SecurityTokenInvalidIssuerException => "The token was not issued by the expected authority.",
        SecurityTokenInvalidTypeException => "The token is not an access token (typ must be at+jwt).",
        SecurityTokenInvalidAlgorithmException => "The token's signing algorithm is not accepted.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The token signature is invalid.",
        SecurityTokenMalformedException or ArgumentException => "The token is malformed.",
        _ => "The token is invalid.",
    };

    private sealed record ErrorBody(
        [property: System.Text.Json.Serialization.JsonPropertyName("error")] string Error,
        [property: System.Text.Json.Serialization.JsonPropertyName("error_description")] string? Description,
        [property: System.Text.Json.Serialization.JsonPropertyName("scope")] string? Scope = null);
}
