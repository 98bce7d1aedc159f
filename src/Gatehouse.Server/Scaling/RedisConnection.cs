using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gatehouse.Server.Scaling;

/// The node's one Redis connection, when configured. Connects in the background and reconnects by
/// itself; callers treat Redis errors as "Redis unavailable", never as request failures.
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>> _connection;

    public RedisConnection(IOptions<GatehouseOptions> options)
    {
        var configuration = ConfigurationOptions.Parse(options.Value.Redis.Configuration!);
        configuration.AbortOnConnectFail = false; // start without Redis, connect when it comes
        configuration.ConnectTimeout = 2000;
        configuration.AsyncTimeout = 500;        // a slow Redis must not hold a token request long
        configuration.SyncTimeout = 500;
        configuration.ClientName = "gatehouse";
        _connection = new(() => ConnectionMultiplexer.ConnectAsync(configuration));
    }

    public Task<ConnectionMultiplexer> GetAsync() => _connection.Value;

    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated) await (await _connection.Value).DisposeAsync();
    }
}
