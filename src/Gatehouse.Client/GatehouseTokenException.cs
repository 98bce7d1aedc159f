using System.Net;

namespace Gatehouse.Client;

/// <summary>
/// No token could be obtained. <see cref="Error"/> is the OAuth error code from the server
/// (<c>invalid_client</c>, <c>invalid_scope</c>, <c>rate_limited</c>…) or one of the client's own:
/// <c>discovery_failed</c>, <c>server_unreachable</c>, <c>invalid_response</c>.
/// </summary>
public sealed class GatehouseTokenException : Exception
{
    internal GatehouseTokenException(string error, string message, HttpStatusCode? statusCode = null,
        string? description = null, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(message, inner)
    {
        Error = error;
        StatusCode = statusCode;
        Description = description;
        RetryAfter = retryAfter;
    }

    /// <summary>The OAuth error code, or the client's own code when the server never answered.</summary>
    public string Error { get; }

    /// <summary>The server's <c>error_description</c>, if any.</summary>
    public string? Description { get; }

    /// <summary>The token endpoint's HTTP status, when it answered.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>When the server asked the client to wait (429/503) and the wait was longer than allowed.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// True for <c>invalid_client</c>: the credentials are wrong (or from the other environment) and
    /// retrying with them cannot succeed. The client does not ask again for a while.
    /// </summary>
    public bool IsInvalidClient => Error == "invalid_client";
}
