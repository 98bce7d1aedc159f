using System.Threading.RateLimiting;
using Gatehouse.Server.OAuth;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.RateLimiting;

/// What a client's request costs us, each limited per client (docs/hardening.md item 10).
internal enum ClientRequestKind
{
    /// Introspection: from memory, but a signature check per new token.
    Introspection,

    /// Revocation: a database write.
    Revocation,

    /// A page of the revocation feed: a database read.
    FeedRead,

    /// A client changing its own secrets or revoking its tokens: a database write and an audit row.
    SelfServiceChange,
}

/// Per-client limits beyond the token endpoint's (which has its own, TokenRateLimiter): one fixed window per
/// client and kind, in this process (with N nodes a client may get N times the limit). Idle partitions are
/// dropped by the partitioned limiter.
internal sealed class ClientRequestLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<(string ClientId, ClientRequestKind Kind)> _limiter;

    public ClientRequestLimiter(IOptions<GatehouseOptions> options)
    {
        var limits = options.Value.RateLimits;
        _limiter = PartitionedRateLimiter.Create<(string ClientId, ClientRequestKind Kind), (string, ClientRequestKind)>(key =>
            RateLimitPartition.GetFixedWindowLimiter(key, k => k.Item2 switch
            {
                ClientRequestKind.Introspection => PerSecond(limits.IntrospectionsPerSecond),
                ClientRequestKind.Revocation => PerSecond(limits.RevocationsPerSecond),
                ClientRequestKind.FeedRead => PerSecond(limits.FeedReadsPerSecond),
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limits.SelfServiceChangesPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true,
                },
            }));
    }

    private static FixedWindowRateLimiterOptions PerSecond(int limit) =>
        new() { PermitLimit = limit, Window = TimeSpan.FromSeconds(1), QueueLimit = 0, AutoReplenishment = true };

    /// Null when the request may proceed; otherwise the 429 to answer.
    public OAuthError? Acquire(string clientId, ClientRequestKind kind)
    {
        using var lease = _limiter.AttemptAcquire((clientId, kind));
        if (lease.IsAcquired) return null;
        // The lag matters only for one-second windows (RetryAfter).
        return OAuthError.RateLimited(RetryAfter.Seconds(lease, withReplenishmentLag: kind != ClientRequestKind.SelfServiceChange), kind switch
        {
            ClientRequestKind.Introspection => "Introspection rate limit exceeded for this client; cache answers and retry later.",
            ClientRequestKind.Revocation => "Revocation rate limit exceeded for this client; retry later.",
            ClientRequestKind.FeedRead => "Revocation feed rate limit exceeded for this client; poll less often.",
            _ => "Too many changes to this client's own secrets and tokens; retry later.",
        });
    }

    public void Dispose() => _limiter.Dispose();
}
