using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Server.OAuth;

/// The one place that writes OAuth responses: errors (RFC 6749 §5.2) and no-store JSON.
internal static class OAuthResults
{
    public static IResult Error(OAuthError error) => new ErrorResult(error);

    /// RFC 6749 §5.1: token responses (and anything carrying a token) are never cached.
    public static IResult NoStoreJson<T>(T body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        new NoStoreJsonResult<T>(body, type);

    public static void SetNoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }

    private sealed class ErrorResult(OAuthError error) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            var response = context.Response;
            response.StatusCode = error.Status;
            SetNoStore(response);
            if (error.ChallengeBasic)
                response.Headers.WWWAuthenticate = "Basic realm=\"gatehouse\", charset=\"UTF-8\"";
            if (error.RetryAfterSeconds is { } seconds)
                response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.ContentType = "application/json";
            var body = new ErrorBody(error.Code, error.Description);
            return JsonSerializer.SerializeAsync(response.Body, body, OAuthJson.Web.ErrorBody, context.RequestAborted);
        }
    }

    private sealed class NoStoreJsonResult<T>(T body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            SetNoStore(response);
            response.ContentType = "application/json";
            return JsonSerializer.SerializeAsync(response.Body, body, type, context.RequestAborted);
        }
    }
}

internal sealed record ErrorBody(
    [property: System.Text.Json.Serialization.JsonPropertyName("error")] string Error,
    [property: System.Text.Json.Serialization.JsonPropertyName("error_description")] string? ErrorDescription);
