namespace Gatehouse.ResourceServer.Validation;

/// The authority's metadata has never loaded (it could not be reached since the API started), so no token can
/// be checked yet. That says nothing about the token: the API answers 503 with Retry-After, not 401.
internal sealed class MetadataUnavailableException(string authority, TimeSpan retryAfter)
    : Exception($"The metadata of {authority} could not be loaded, so no token can be validated yet.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
