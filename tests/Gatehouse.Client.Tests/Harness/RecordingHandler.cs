using System.Collections.Concurrent;
using System.Net;

namespace Gatehouse.Testing;

/// <summary>Passes requests to the network and remembers what went out and what came back.</summary>
public sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    public sealed record Exchange(HttpMethod Method, string Path, HttpStatusCode Status, TimeSpan? RetryAfter, DateTimeOffset SentAt);

    public ConcurrentQueue<Exchange> Exchanges { get; } = new();

    public int Count(string path) => Exchanges.Count(e => e.Path == path);

    public int Count(HttpMethod method, string path) => Exchanges.Count(e => e.Method == method && e.Path == path);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var sentAt = DateTimeOffset.UtcNow;
        var response = await base.SendAsync(request, cancellationToken);
        Exchanges.Enqueue(new Exchange(request.Method, request.RequestUri!.AbsolutePath, response.StatusCode, response.Headers.RetryAfter?.Delta, sentAt));
        return response;
    }
}
