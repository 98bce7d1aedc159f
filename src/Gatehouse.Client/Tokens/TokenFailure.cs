using System.Net;

namespace Gatehouse.Client.Tokens;

/// A token request that did not produce a token, as a value: the caller decides whether to wait and retry.
internal sealed record TokenFailure(string Error, string? Description, HttpStatusCode? Status, TimeSpan? RetryAfter)
{
    /// Worth another try: the server was unreachable, busy (429, 503) or broken (5xx). Never invalid_client.
    public bool IsTransient => Status is null || Status == HttpStatusCode.TooManyRequests || (int)Status >= 500;

    public GatehouseTokenException ToException() => Error switch
    {
        "invalid_client" => new GatehouseTokenException(Error,
            $"The authorization server rejected the client credentials (invalid_client: {Description ?? "no description"}). " +
            "Check the client id and secret, and that sandbox and live are not mixed. The request is not retried.",
            Status, Description),
        _ => new GatehouseTokenException(Error,
            $"The token request failed: {Error}{(Description is null ? "" : " (" + Description + ")")}" +
            (Status is null ? "." : $", HTTP {(int)Status}."), Status, Description, RetryAfter),
    };
}
