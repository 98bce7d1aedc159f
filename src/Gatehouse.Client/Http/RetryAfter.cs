using System.Net.Http.Headers;

namespace Gatehouse.Client.Http;

/// RFC 9110 §10.2.3: Retry-After is either delay-seconds or an HTTP-date.
internal static class RetryAfter
{
    public static TimeSpan? From(HttpResponseHeaders headers, DateTimeOffset now)
    {
        var value = headers.RetryAfter;
        if (value is null) return null;
        if (value.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (value.Date is { } date) return date > now ? date - now : TimeSpan.Zero;
        return null;
    }
}
