using Gatehouse.Client.Diagnostics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Client.Caching;

/// The second tier: an IDistributedCache shared by every instance of the client. Best effort — a cache
/// outage costs a token request, never a failed call.
internal sealed class SharedTokenCache(IDistributedCache cache, string key, TokenProtector protector, ILogger logger)
{
    public async Task<GatehouseToken?> GetAsync(CancellationToken ct)
    {
        try
        {
            var entry = await cache.GetAsync(key, ct);
            if (entry is null) return null;
            var token = protector.Unprotect(entry);
            if (token is null) ClientLog.CachedTokenUnreadable(logger);
            return token;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ClientLog.DistributedCacheFailed(logger, e);
            return null;
        }
    }

    public async Task SetAsync(GatehouseToken token, CancellationToken ct)
    {
        try
        {
            await cache.SetAsync(key, protector.Protect(token),
                new DistributedCacheEntryOptions { AbsoluteExpiration = token.ExpiresAt }, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ClientLog.DistributedCacheFailed(logger, e);
        }
    }

    /// Removes the entry only if it still holds the rejected token: another instance may already have replaced it.
    public async Task RemoveIfAsync(string accessToken, CancellationToken ct)
    {
        var current = await GetAsync(ct);
        if (current?.AccessToken != accessToken) return;
        try
        {
            await cache.RemoveAsync(key, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ClientLog.DistributedCacheFailed(logger, e);
        }
    }
}
