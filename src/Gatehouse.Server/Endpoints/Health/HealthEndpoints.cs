using Gatehouse.Server.Storage;
using Gatehouse.Server.Tokens;

namespace Gatehouse.Server.Endpoints.Health;

/// /healthz: the process answers. /readyz: it can serve tokens (storage reachable, a signing key loaded).
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", async (IChangeFeed storage, SigningKeyService keys, CancellationToken ct) =>
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
            var ready = storageStatus == "ok" && keyStatus == "ok";
            return Results.Json(new { status = ready ? "ready" : "not_ready", checks = new { storage = storageStatus, signing_keys = keyStatus } },
                statusCode: ready ? 200 : 503);
        });
    }
}
