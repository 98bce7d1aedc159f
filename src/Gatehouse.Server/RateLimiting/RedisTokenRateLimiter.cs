using Gatehouse.Server.Clients;
using Gatehouse.Server.Scaling;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gatehouse.Server.RateLimiting;

/// The per-client limit counted across all nodes: one Redis counter per client per wall-clock second. When Redis is unreachable each node falls back
/// to its own limiter, so the fleet allows at most (nodes × limit) until Redis returns.
internal sealed partial class RedisTokenRateLimiter(
    RedisConnection redis,
    TokenRateLimiter fallback,
    TimeProvider clock,
    IOptions<GatehouseOptions> options,
    ILogger<RedisTokenRateLimiter> logger) : ITokenRateLimiter
{
    private readonly int _defaultLimit = options.Value.RateLimits.TokenRequestsPerSecond;
    private long _lastWarningSecond;

    public async ValueTask<int> AcquireAsync(Client client)
    {
        var limit = client.RateLimitPerSecond ?? _defaultLimit;
        var second = clock.GetUtcNow().ToUnixTimeSeconds();
        try
        {
            var connection = await redis.GetAsync();
            // While disconnected, do not queue behind a reconnect: decide locally at once.
            if (!connection.IsConnected) return await Fallback(client, second, "NotConnected");
            var database = connection.GetDatabase();
            RedisKey key = $"gatehouse:rl:{client.ClientId}:{second}";
            // One plain INCR per request (cheaper for Redis than a script); the first of the second also gives the
            // counter its expiry, without waiting for the answer.
            var count = await database.StringIncrementAsync(key);
            if (count == 1) database.KeyExpire(key, TimeSpan.FromSeconds(2), CommandFlags.FireAndForget);
            return count <= limit ? 0 : 1;
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            return await Fallback(client, second, e.GetType().Name);
        }
    }

    private ValueTask<int> Fallback(Client client, long second, string error)
    {
        // One warning a second at most: under load this path runs thousands of times a second.
        if (Interlocked.Exchange(ref _lastWarningSecond, second) != second) LogRedisUnavailable(logger, error);
        return fallback.AcquireAsync(client);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable for rate limiting ({Error}); using this node's own limit.")]
    private static partial void LogRedisUnavailable(ILogger logger, string error);
}
