using System.Threading.RateLimiting;
using Gatehouse.Server.Clients;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.RateLimiting;

/// Seed 002's per-client limit on the token endpoint (default 10/s, a client's own limit wins).
/// One fixed one-second window per client; the partitioned limiter shares one replenishing timer
/// across all clients and drops idle ones.
internal sealed class TokenRateLimiter : ITokenRateLimiter, IDisposable
{
    private readonly PartitionedRateLimiter<Client> _limiter;

    public TokenRateLimiter(IOptions<GatehouseOptions> options)
    {
        var defaultLimit = options.Value.RateLimits.TokenRequestsPerSecond;
        _limiter = PartitionedRateLimiter.Create<Client, (string ClientId, int Limit)>(client =>
        {
            var limit = client.RateLimitPerSecond ?? defaultLimit;
            // The limit is part of the key, so changing a client's limit takes effect at once.
            return RateLimitPartition.GetFixedWindowLimiter((ClientId: client.ClientId, Limit: limit), key => new FixedWindowRateLimiterOptions
            {
                PermitLimit = key.Limit,
                Window = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        });
    }

    /// True when the request may proceed; otherwise the seconds the client should wait.
    public bool TryAcquire(Client client, out int retryAfterSeconds)
    {
        using var lease = _limiter.AttemptAcquire(client);
        retryAfterSeconds = lease.IsAcquired ? 0 : RetryAfter.Seconds(lease, withReplenishmentLag: true);
        return lease.IsAcquired;
    }

    public ValueTask<int> AcquireAsync(Client client) =>
        ValueTask.FromResult(TryAcquire(client, out var retryAfter) ? 0 : retryAfter);

    public void Dispose() => _limiter.Dispose();
}

internal static class RetryAfter
{
    /// The limiter's windows are replenished by a timer ticking every 100 ms, so the real reset can come a
    /// little after the advertised one. With a one-second window that matters: round up with a margin, so a
    /// client that waits exactly Retry-After succeeds.
    private static readonly TimeSpan ReplenishmentLag = TimeSpan.FromMilliseconds(150);

    public static int Seconds(RateLimitLease lease, bool withReplenishmentLag = false) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
            ? Math.Max(1, (int)Math.Ceiling((withReplenishmentLag ? wait + ReplenishmentLag : wait).TotalSeconds))
            : 1;
}
