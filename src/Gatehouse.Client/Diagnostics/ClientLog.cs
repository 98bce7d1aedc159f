using System.Net;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Client.Diagnostics;

/// Every log line the client writes. Arguments are ids, scopes, statuses and times: never a secret or a token.
internal static partial class ClientLog
{
    [LoggerMessage(1, LogLevel.Information, "Discovery for {Authority}: token endpoint {TokenEndpoint}.")]
    public static partial void DiscoveryFetched(ILogger logger, string authority, Uri tokenEndpoint);

    [LoggerMessage(2, LogLevel.Warning, "Discovery for {Authority} failed ({Reason}); keeping the previous document.")]
    public static partial void DiscoveryFailedKeepingPrevious(ILogger logger, string authority, string reason);

    [LoggerMessage(3, LogLevel.Debug, "Token for client {ClientId} (scope '{Scope}') acquired; expires in {ExpiresIn}, refresh at {RefreshAt:O}.")]
    public static partial void TokenAcquired(ILogger logger, string clientId, string scope, TimeSpan expiresIn, DateTimeOffset refreshAt);

    [LoggerMessage(4, LogLevel.Error, "The authorization server rejected client {ClientId}: invalid_client ({Description}). Not retrying.")]
    public static partial void InvalidClient(ILogger logger, string clientId, string? description);

    [LoggerMessage(5, LogLevel.Warning, "Token request for client {ClientId} failed: {Error} (HTTP {Status}); retrying in {Delay}.")]
    public static partial void TokenRequestBackingOff(ILogger logger, string clientId, string error, int? status, TimeSpan delay);

    [LoggerMessage(6, LogLevel.Warning, "Token request for client {ClientId} failed: {Error} (HTTP {Status}).")]
    public static partial void TokenRequestFailed(ILogger logger, string clientId, string error, int? status);

    [LoggerMessage(7, LogLevel.Warning, "Background refresh for client {ClientId} failed ({Error}); the current token stays in use, next try in {Delay}.")]
    public static partial void BackgroundRefreshFailed(ILogger logger, string clientId, string error, TimeSpan delay);

    [LoggerMessage(8, LogLevel.Information, "{Method} {Host}{Path} answered 401 invalid_token; getting a new token and retrying once.")]
    public static partial void RetryingAfterInvalidToken(ILogger logger, HttpMethod method, string host, string path);

    [LoggerMessage(9, LogLevel.Information, "{Method} {Host}{Path} answered 401 invalid_token and cannot be replayed; returning the 401.")]
    public static partial void InvalidTokenNotReplayable(ILogger logger, HttpMethod method, string host, string path);

    [LoggerMessage(10, LogLevel.Information, "{Method} {Host}{Path} answered {Status}; retrying after {Delay} as Retry-After asks.")]
    public static partial void ApiBackingOff(ILogger logger, HttpMethod method, string host, string path, HttpStatusCode status, TimeSpan delay);

    [LoggerMessage(11, LogLevel.Warning, "The distributed token cache failed; continuing with the in-memory token.")]
    public static partial void DistributedCacheFailed(ILogger logger, Exception exception);

    [LoggerMessage(12, LogLevel.Debug, "A cached token could not be decrypted (the client secret changed?); ignoring it.")]
    public static partial void CachedTokenUnreadable(ILogger logger);

    [LoggerMessage(13, LogLevel.Warning, "{Method} {Host}{Path} answered 401 invalid_token to a token renewed for it less than 30 s ago; returning the 401 without renewing again.")]
    public static partial void InvalidTokenAfterRenewal(ILogger logger, HttpMethod method, string host, string path);

    [LoggerMessage(14, LogLevel.Warning, "Background refresh for client {ClientId} stopped: the token expired while refreshes failed ({Error}). The next call asks again.")]
    public static partial void BackgroundRefreshStopped(ILogger logger, string clientId, string error);
}
