using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.RateLimiting;

/// Slows secret guessing: after N failed client authentications from one address in a minute,
/// that address gets 429 until the window ends. Successful requests cost nothing here.
internal sealed class FailedAuthenticationThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress> _failures;

    public FailedAuthenticationThrottle(IOptions<GatehouseOptions> options)
    {
        var limit = options.Value.RateLimits.FailedAuthenticationsPerMinute;
        _failures = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address =>
            RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    public bool IsThrottled(IPAddress? address, out int retryAfterSeconds)
    {
        // Asking for zero permits only looks: it fails once the window's failures are used up.
        using var lease = _failures.AttemptAcquire(address ?? IPAddress.None, permitCount: 0);
        retryAfterSeconds = lease.IsAcquired ? 0 : RetryAfter.Seconds(lease);
        return !lease.IsAcquired;
    }

    public void RecordFailure(IPAddress? address)
    {
        using var _ = _failures.AttemptAcquire(address ?? IPAddress.None);
    }

    public void Dispose() => _failures.Dispose();
}
