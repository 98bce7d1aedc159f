using System.Collections.Concurrent;
using System.Net;

namespace Gatehouse.Testing;

/// <summary>Passes requests to the network and remembers what went out and what came back.</summary>
public sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    public sealed record Exchange(HttpMethod Method, string Path, HttpStatusCode Status, TimeSpan? RetryAfter, DateTimeOffset SentAt);

    private int _attempts;

    public ConcurrentQueue<Exchange> Exchanges { get; } = new();

    /// Every request sent, including those that never got an answer.
    public int Attempts => Volatile.Read(ref _attempts);

    /// While true, every request fails as if the server could not be reached.
    public bool Unreachable { get; set; }

    public int Count(string path) => Exchanges.Count(e => e.Path == path);

    public int Count(HttpMethod method, string path) => Exchanges.Count(e => e.Method == method && e.Path == path);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        if (Unreachable) throw new HttpRequestException("Connection refused (the test switched the server off).");
        var sentAt = DateTimeOffset.UtcNow;
        var response = await base.SendAsync(request, cancellationToken);
        Exchanges.Enqueue(new Exchange(request.Method, request.RequestUri!.AbsolutePath, response.StatusCode, response.Headers.RetryAfter?.Delta, sentAt));
        return response;
    }
}
