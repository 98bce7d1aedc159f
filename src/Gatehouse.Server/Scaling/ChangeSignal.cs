using StackExchange.Redis;

namespace Gatehouse.Server.Scaling;

/// Tells the other nodes "the store changed, read the change feed now", so a change made on one node
/// takes effect on every node within milliseconds. Only a nudge: the change feed in the store carries
/// the facts, and nodes poll it anyway, so a lost message only delays a change by one poll interval.
internal interface IChangeSignal
{
    /// Never throws; gives up quickly when Redis is unreachable.
    Task PublishAsync();

    /// Called on every signal from any node.
    Task SubscribeAsync(Action onSignal, CancellationToken ct);
}

/// Without Redis: nothing to publish; nodes rely on polling.
internal sealed class PollingOnlyChangeSignal : IChangeSignal
{
    public Task PublishAsync() => Task.CompletedTask;

    public Task SubscribeAsync(Action onSignal, CancellationToken ct) => Task.CompletedTask;
}

internal sealed partial class RedisChangeSignal(RedisConnection redis, ILogger<RedisChangeSignal> logger) : IChangeSignal
{
    private static readonly RedisChannel Channel = RedisChannel.Literal("gatehouse:changes");

    public async Task SubscribeAsync(Action onSignal, CancellationToken ct)
    {
        // Retry until Redis is first reachable; after that the multiplexer restores the subscription itself.
        while (true)
        {
            try
            {
                var connection = await redis.GetAsync();
                await connection.GetSubscriber().SubscribeAsync(Channel, (_, _) => onSignal());
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                LogSubscribeRetry(logger, e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
            }
        }
    }

    public async Task PublishAsync()
    {
        try
        {
            var connection = await redis.GetAsync();
            if (!connection.IsConnected) return; // other nodes will see the change at their next poll
            await connection.GetSubscriber().PublishAsync(Channel, "1");
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            LogPublishFailed(logger, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable for change signals ({Error}); polling meanwhile, retrying.")]
    private static partial void LogSubscribeRetry(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not signal other nodes through Redis ({Error}); they will see the change at their next poll.")]
    private static partial void LogPublishFailed(ILogger logger, string error);
}
