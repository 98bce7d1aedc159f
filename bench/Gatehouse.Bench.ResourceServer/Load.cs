using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Gatehouse.Bench.ResourceServer;

/// Closed-loop load: each worker owns one keep-alive connection and sends the next request when the last
/// one is answered. Bounded in time; loopback only.
internal static class Load
{
    public sealed record Result(long Requests, long Failures, TimeSpan Elapsed, double[] LatenciesMs);

    public static async Task<Result> RunAsync(string url, string token, int connections, TimeSpan duration, bool record)
    {
        using var stop = new CancellationTokenSource(duration);
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(() => WorkerAsync(url, token, record, stop.Token))).ToArray();
        var results = await Task.WhenAll(workers);
        var elapsed = clock.Elapsed;
        var latencies = record ? results.SelectMany(r => r.Latencies).ToArray() : [];
        Array.Sort(latencies);
        return new Result(results.Sum(r => r.Requests), results.Sum(r => r.Failures), elapsed, latencies);
    }

    private static async Task<(long Requests, long Failures, List<double> Latencies)> WorkerAsync(string url, string token, bool record, CancellationToken stop)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1, UseProxy = false });
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var latencies = new List<double>(record ? 100_000 : 0);
        long requests = 0, failures = 0;
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.GetAsync(url, HttpCompletionOption.ResponseContentRead, CancellationToken.None);
                if (response.StatusCode != HttpStatusCode.OK) failures++;
            }
            catch (HttpRequestException)
            {
                failures++;
            }
            requests++;
            if (record) latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return (requests, failures, latencies);
    }

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];
}
