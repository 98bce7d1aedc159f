using Gatehouse.Server.Storage;
using Gatehouse.Server.Tokens;

namespace Gatehouse.Server.Endpoints.Health;

/// /healthz: the process answers. /readyz: it can serve tokens (storage reachable, a signing key loaded).
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", async (IChangeFeed storage, SigningKeyService keys, StoreSync sync, IServiceProvider services,
            Microsoft.Extensions.Options.IOptions<GatehouseOptions> options, CancellationToken ct) =>
        {
            var storageStatus = "ok";
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                await storage.PingAsync(timeout.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                storageStatus = "unavailable";
            }
            var keyStatus = keys.Current.SignerFor(SigningAlgorithms.ES256) is null ? "missing" : "ok";
            var syncStatus = sync.IsInSync ? "ok" : "stale";
            var redisStatus = string.IsNullOrWhiteSpace(options.Value.Redis.Configuration) ? "not_configured" : await RedisStatusAsync(services);
            // Redis is an accelerator: without it the node still serves correctly (per-node rate limits, polling).
            var ready = storageStatus == "ok" && keyStatus == "ok" && syncStatus == "ok";
            return Results.Json(new
            {
                status = ready ? "ready" : "not_ready",
                checks = new { storage = storageStatus, sync = syncStatus, signing_keys = keyStatus, redis = redisStatus },
            }, statusCode: ready ? 200 : 503);
        });
    }

    private static async Task<string> RedisStatusAsync(IServiceProvider services)
    {
        try
        {
            var connection = await services.GetRequiredService<Scaling.RedisConnection>().GetAsync();
            if (!connection.IsConnected) return "unavailable";
            await connection.GetDatabase().PingAsync();
            return "ok";
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
        {
            return "unavailable";
        }
    }
}
