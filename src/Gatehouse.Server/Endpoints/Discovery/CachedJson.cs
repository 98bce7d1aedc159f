using Microsoft.Net.Http.Headers;

namespace Gatehouse.Server.Endpoints.Discovery;

/// Public, cacheable JSON served from bytes prepared in advance, with ETag revalidation (RFC 9110 §13.1.2).
internal static class CachedJson
{
    public static Task WriteAsync(HttpContext context, byte[] body, string etag, int maxAgeSeconds, string contentType = "application/json")
    {
        var response = context.Response;
        response.Headers.CacheControl = maxAgeSeconds == 3600 ? "public, max-age=3600" : $"public, max-age={maxAgeSeconds}";
        response.Headers.ETag = etag;
        if (Matches(context.Request.Headers.IfNoneMatch, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        if (HttpMethods.IsHead(context.Request.Method)) return Task.CompletedTask;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
    {
        if (ifNoneMatch.Count == 0) return false;
        if (!EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags)) return false;
        foreach (var tag in tags)
        {
            // Weak comparison, as If-None-Match requires.
            if (tag == EntityTagHeaderValue.Any || tag.Tag.AsSpan().Equals(etag, StringComparison.Ordinal)) return true;
        }
        return false;
    }
}
