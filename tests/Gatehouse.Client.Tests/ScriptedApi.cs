using System.Collections.Concurrent;
using Gatehouse.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Client.Tests;

/// A real Kestrel API whose answer to the n-th request (1-based) a test scripts, recording what it received.
internal sealed class ScriptedApi : IAsyncDisposable
{
    public sealed record Received(string? Token, string Body, DateTimeOffset At);

    private readonly LoopbackApi _api;

    private ScriptedApi(LoopbackApi api) => _api = api;

    public ConcurrentQueue<Received> Requests { get; } = new();

    public string BaseAddress => _api.BaseAddress;

    public static async Task<ScriptedApi> StartAsync(Func<int, HttpResponse, Task> answer)
    {
        ScriptedApi? self = null;
        var count = 0;
        var api = await LoopbackApi.StartAsync(null, app => app.Map("/partner/v1/{**rest}", async (HttpContext context) =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            var authorization = context.Request.Headers.Authorization.ToString();
            self!.Requests.Enqueue(new Received(authorization.StartsWith("Bearer ") ? authorization[7..] : null, body, DateTimeOffset.UtcNow));
            await answer(Interlocked.Increment(ref count), context.Response);
        }));
        return self = new ScriptedApi(api);
    }

    public HttpClient ClientThrough(GatehouseClient client) =>
        _api.CreateClient(new GatehouseTokenHandler(client) { InnerHandler = new SocketsHttpHandler() });

    public static Task InvalidToken(HttpResponse response)
    {
        response.StatusCode = 401;
        response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\", error_description=\"The token has been revoked.\"";
        return Task.CompletedTask;
    }

    public static Task Ok(HttpResponse response) => response.WriteAsync("ok");

    public static Task Status(HttpResponse response, int status, string? retryAfter = null)
    {
        response.StatusCode = status;
        if (retryAfter is not null) response.Headers.RetryAfter = retryAfter;
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => _api.DisposeAsync();
}
