using Microsoft.Extensions.Logging;

namespace Gatehouse.ResourceServer.Diagnostics;

/// Every log line the library writes: authorities, key ids, counts and reasons; never a token or secret.
internal static partial class ResourceServerLog
{
    [LoggerMessage(1, LogLevel.Information, "Metadata of {Authority} loaded: {KeyCount} signing keys ({KeyIds}).")]
    public static partial void MetadataLoaded(ILogger logger, string authority, int keyCount, string keyIds);

    [LoggerMessage(2, LogLevel.Warning, "Metadata of {Authority} could not be loaded; keeping the previous keys.")]
    public static partial void MetadataFailedKeepingPrevious(ILogger logger, string authority, Exception exception);

    [LoggerMessage(3, LogLevel.Error, "Metadata of {Authority} could not be loaded; tokens cannot be validated yet.")]
    public static partial void MetadataFailed(ILogger logger, string authority, Exception exception);

    [LoggerMessage(4, LogLevel.Information, "A token names unknown key '{KeyId}'; refreshing the key set of {Authority}.")]
    public static partial void UnknownKeyRefresh(ILogger logger, string keyId, string authority);

    [LoggerMessage(5, LogLevel.Warning, "Revocation feed is off for scheme {Scheme}: no ClientId/ClientSecret configured. Revoked tokens stay accepted until they expire.")]
    public static partial void RevocationFeedOff(ILogger logger, string scheme);

    [LoggerMessage(6, LogLevel.Warning, "Revocation feed {Url} answered {Status}; next try in {Delay}.")]
    public static partial void RevocationFeedRefused(ILogger logger, string url, int status, TimeSpan delay);

    [LoggerMessage(7, LogLevel.Warning, "Revocation feed {Url} failed ({Reason}); next try in {Delay}.")]
    public static partial void RevocationFeedFailed(ILogger logger, string url, string reason, TimeSpan delay);

    [LoggerMessage(8, LogLevel.Debug, "Revocation feed: {Count} entries applied, cursor {Cursor}.")]
    public static partial void RevocationsApplied(ILogger logger, int count, string cursor);

    [LoggerMessage(9, LogLevel.Information, "Rejected a revoked token of client {ClientId}.")]
    public static partial void RevokedTokenRejected(ILogger logger, string? clientId);

    [LoggerMessage(10, LogLevel.Warning, "Introspection at {Endpoint} failed ({Reason}).")]
    public static partial void IntrospectionFailed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(11, LogLevel.Warning, "GatehouseBearerOptions.Resource is not set for scheme {Scheme}: the protected-resource metadata and challenges name each request's Host, and the metadata is sent with Cache-Control: no-store. Set Resource to this API's public URL.")]
    public static partial void ResourceNotConfigured(ILogger logger, string scheme);
}
