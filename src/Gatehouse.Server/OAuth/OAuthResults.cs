using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Gatehouse.Server.OAuth;

/// The one place that writes OAuth responses: errors (RFC 6749 §5.2) and no-store JSON.
internal static class OAuthResults
{
    public static IResult Error(OAuthError error) => new ErrorResult(error);

    /// Management API errors: RFC 9457 problem details that also carry the OAuth error fields.
    public static IResult Problem(OAuthError error) => new ProblemResult(error);

    /// RFC 6749 §5.1: token responses (and anything carrying a token) are never cached.
    public static IResult NoStoreJson<T>(T body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        new NoStoreJsonResult<T>(body, type);

    public static void SetNoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }

    private static void WriteErrorHeaders(HttpResponse response, OAuthError error)
    {
        response.StatusCode = error.Status;
        SetNoStore(response);
        var challenges = new List<string>(2);
        if (error.ChallengeBearer) challenges.Add(BearerChallenge(error));
        if (error.ChallengeBasic) challenges.Add("Basic realm=\"gatehouse\", charset=\"UTF-8\"");
        if (challenges.Count > 0) response.Headers.WWWAuthenticate = challenges.ToArray();
        if (error.RetryAfterSeconds is { } seconds)
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// RFC 6750 §3: error and scope only when the request carried a token.
    private static string BearerChallenge(OAuthError error) => error.Code switch
    {
        "invalid_token" => $"Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"{error.Description}\"",
        "insufficient_scope" => $"Bearer realm=\"gatehouse\", error=\"insufficient_scope\", scope=\"{error.RequiredScope}\"",
        _ => "Bearer realm=\"gatehouse\"",
    };

    private sealed class ProblemResult(OAuthError error) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            WriteErrorHeaders(context.Response, error);
            context.Response.ContentType = "application/problem+json";
            var body = new ProblemBody(ReasonPhrases.GetReasonPhrase(error.Status), error.Status, error.Description,
                error.Code, error.Description, error.Field);
            return JsonSerializer.SerializeAsync(context.Response.Body, body, OAuthJson.Web.ProblemBody, context.RequestAborted);
        }
    }

    private sealed class ErrorResult(OAuthError error) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            var response = context.Response;
            WriteErrorHeaders(response, error);
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

/// RFC 9457 §3, plus the OAuth error fields clients already parse.
internal sealed record ProblemBody(
    [property: System.Text.Json.Serialization.JsonPropertyName("title")] string Title,
    [property: System.Text.Json.Serialization.JsonPropertyName("status")] int Status,
    [property: System.Text.Json.Serialization.JsonPropertyName("detail")] string? Detail,
    [property: System.Text.Json.Serialization.JsonPropertyName("error")] string Error,
    [property: System.Text.Json.Serialization.JsonPropertyName("error_description")] string? ErrorDescription,
    [property: System.Text.Json.Serialization.JsonPropertyName("field")] string? Field);
