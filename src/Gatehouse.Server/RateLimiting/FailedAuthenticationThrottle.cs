using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.RateLimiting;

/// Slows secret guessing: after N failed client authentications from one address in a minute,
/// that address gets 429 until the window ends. Successful requests cost nothing here.
internal sealed class FailedAuthenticationThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress> _failures;

    // Addresses with a recent failure, so the common case (no failures) skips the limiter and its lock.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<IPAddress, DateTimeOffset> _recent = new();
    private readonly TimeProvider _clock;

    public FailedAuthenticationThrottle(IOptions<GatehouseOptions> options, TimeProvider clock)
    {
        _clock = clock;
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
        retryAfterSeconds = 0;
        if (_recent.IsEmpty || !_recent.ContainsKey(address ?? IPAddress.None)) return false;
        // Asking for zero permits only looks: it fails once the window's failures are used up.
        using var lease = _failures.AttemptAcquire(address ?? IPAddress.None, permitCount: 0);
        retryAfterSeconds = lease.IsAcquired ? 0 : RetryAfter.Seconds(lease);
        return !lease.IsAcquired;
    }

    public void RecordFailure(IPAddress? address)
    {
        _recent[address ?? IPAddress.None] = _clock.GetUtcNow();
        using var _ = _failures.AttemptAcquire(address ?? IPAddress.None);
    }

    /// Forgets addresses whose last failure is older than the limiter's window.
    public void PruneQuietAddresses()
    {
        var cutOff = _clock.GetUtcNow().AddMinutes(-2);
        foreach (var (address, lastFailure) in _recent)
            if (lastFailure < cutOff) _recent.TryRemove(address, out _);
    }

    public void Dispose() => _failures.Dispose();
}
