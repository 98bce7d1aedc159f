using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gatehouse.Bench;

/// <summary>
/// What one worker sends, over and over: request k uses Uris[k % n], Bodies[k % m] (form POST)
/// or no body (GET), and a fixed Authorization header. Everything is built before the run so
/// the measuring loop allocates nothing of its own beyond HttpClient's request/response objects.
/// </summary>
internal sealed class WorkerPlan
{
    public required Uri[] Uris { get; init; }
    public byte[][]? Bodies { get; init; }
    public string? Authorization { get; init; }
    /// <summary>A 200 body must contain this (per Uri index, cycled); otherwise it counts as an error.</summary>
    public required byte[][] Markers { get; init; }
    public int StartOffset { get; init; }
    public string Label { get; init; } = "";

    public int Cycle => Math.Max(Uris.Length, Bodies?.Length ?? 1);

    public HttpRequestMessage Create(int k)
    {
        var uri = Uris[k % Uris.Length];
        HttpRequestMessage request;
        if (Bodies is null)
        {
            request = new HttpRequestMessage(HttpMethod.Get, uri);
        }
        else
        {
            request = new HttpRequestMessage(HttpMethod.Post, uri);
            var content = new ByteArrayContent(Bodies[k % Bodies.Length]);
            content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");
            request.Content = content;
        }
        if (Authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", Authorization);
        return request;
    }

    public byte[] Marker(int k) => Markers[k % Uris.Length % Markers.Length];
}

internal sealed class ErrorLog
{
    private sealed class Entry { public long Count; public string Sample = ""; }
    private readonly ConcurrentDictionary<string, Entry> _entries = new();

    public void Add(string key, Func<string> sample)
    {
        var created = false;
        var e = _entries.GetOrAdd(key, _ => { created = true; return new Entry(); });
        if (created) e.Sample = Truncate(sample());
        Interlocked.Increment(ref e.Count);
    }

    public bool IsEmpty => _entries.IsEmpty;

    public IEnumerable<string> Lines() =>
        _entries.OrderByDescending(kv => kv.Value.Count)
            .Select(kv => $"{kv.Value.Count,8} x {kv.Key}: {kv.Value.Sample}");

    private static string Truncate(string s)
    {
        s = s.ReplaceLineEndings(" ");
        return s.Length <= 300 ? s : s[..300] + "...";
    }
}

internal sealed class ScenarioResult
{
    public required string Name { get; init; }
    public required string Target { get; init; }
    public double Seconds { get; init; }
    public long Ok { get; init; }
    public long Errors { get; init; }
    public long WarmupErrors { get; init; }
    public long Dropped { get; init; }
    public required long[] LatencyTicks { get; init; } // sorted
    public int ConnectionsOpened { get; init; }
    public double? ServerCpuPercent { get; init; }
    public double? BenchCpuPercent { get; init; }
    /// <summary>CPU used by every other process on the machine during the measured window (% of one core).</summary>
    public double? OtherCpuPercent { get; init; }
    public double? StealCpuPercent { get; init; }
    public double? PeakRssMb { get; set; }
    public double? RssMb { get; set; }
    public double? MaxSampledRssMb { get; set; }
    public required ErrorLog ErrorLog { get; init; }

    public double Rps => Seconds > 0 ? Ok / Seconds : 0;
    public long Total => LatencyTicks.LongLength;

    public double PercentileMs(double p)
    {
        if (LatencyTicks.Length == 0) return double.NaN;
        var rank = (long)Math.Ceiling(p / 100.0 * LatencyTicks.LongLength);
        var idx = Math.Clamp(rank - 1, 0, LatencyTicks.LongLength - 1);
        return LatencyTicks[idx] * 1000.0 / Stopwatch.Frequency;
    }

    public double MaxMs => LatencyTicks.Length == 0 ? double.NaN : LatencyTicks[^1] * 1000.0 / Stopwatch.Frequency;

    public double MeanMs
    {
        get
        {
            if (LatencyTicks.Length == 0) return double.NaN;
            double sum = 0;
            foreach (var t in LatencyTicks) sum += t;
            return sum / LatencyTicks.Length * 1000.0 / Stopwatch.Frequency;
        }
    }
}

/// <summary>Closed-loop load: N workers, each with one request in flight at a time, over N keep-alive connections.</summary>
internal static class LoadRunner
{
    // Upper bound on what 2 cores can possibly do; beyond it latencies are counted but not kept.
    private const int MaxRecordedPerSecond = 150_000;
    private const int BufferSize = 64 * 1024;

    private sealed class Worker
    {
        public required long[] Latencies;
        public int Count;
        public long Ok, Errors, WarmupErrors, Dropped;
        public readonly byte[] Buffer = new byte[BufferSize];
    }

    public static (HttpClient Client, Func<int> ConnectionsOpened) CreateClient(int connections)
    {
        var opened = 0;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectCallback = async (ctx, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(ctx.DnsEndPoint, ct);
                    Interlocked.Increment(ref opened);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15) };
        return (client, () => Volatile.Read(ref opened));
    }

    public static async Task<ScenarioResult> RunAsync(string name, string target, HttpClient http, Func<int> connectionsOpened,
        WorkerPlan[] plans, int warmupSeconds, int durationSeconds, int? serverPid, CancellationToken ct)
    {
        var perWorkerCapacity = (int)Math.Min(int.MaxValue / 2, (long)MaxRecordedPerSecond * durationSeconds / plans.Length + 1024);
        var workers = plans.Select(_ => new Worker { Latencies = new long[perWorkerCapacity] }).ToArray();
        foreach (var w in workers) Array.Fill(w.Latencies, 0L); // touch the pages before measuring
        var errors = new ErrorLog();

        var rssPeakReset = serverPid is int p0 && ProcFs.ResetPeakRss(p0);

        var freq = Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp();
        var t0 = start + warmupSeconds * freq;
        var t1 = t0 + durationSeconds * freq;

        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        long maxSampledRssKb = 0;
        var sampler = serverPid is int sp
            ? Task.Run(async () =>
            {
                try
                {
                    while (!sampling.IsCancellationRequested)
                    {
                        if (ProcFs.StatusKb(sp, "VmRSS") is long kb && kb > maxSampledRssKb) maxSampledRssKb = kb;
                        await Task.Delay(200, sampling.Token);
                    }
                }
                catch (OperationCanceledException) { }
            })
            : Task.CompletedTask;

        var tasks = new Task[plans.Length];
        for (var i = 0; i < plans.Length; i++)
        {
            var plan = plans[i];
            var worker = workers[i];
            tasks[i] = Task.Run(() => WorkerLoop(http, plan, worker, errors, t0, t1, ct), ct);
        }

        // CPU accounting over the measured window only.
        await DelayUntil(t0, ct);
        var serverCpu0 = serverPid is int a ? ProcFs.CpuSeconds(a) : null;
        var benchCpu0 = ProcFs.CpuSeconds(Environment.ProcessId);
        var machine0 = ProcFs.MachineJiffies();
        var wall0 = Stopwatch.GetTimestamp();
        await DelayUntil(t1, ct);
        var wall1 = Stopwatch.GetTimestamp();
        var serverCpu1 = serverPid is int b ? ProcFs.CpuSeconds(b) : null;
        var benchCpu1 = ProcFs.CpuSeconds(Environment.ProcessId);
        var machine1 = ProcFs.MachineJiffies();

        await Task.WhenAll(tasks);
        await sampling.CancelAsync();
        await sampler;

        var wall = (wall1 - wall0) / (double)freq;
        double? Pct(double? c0, double? c1) => c0 is double x && c1 is double y && wall > 0 ? (y - x) / wall * 100.0 : null;

        double? otherCpu = null, stealCpu = null;
        if (machine0 is { } m0 && machine1 is { } m1 && m1.Total > m0.Total)
        {
            var cores = Environment.ProcessorCount * 100.0;
            var busy = (m1.Busy - m0.Busy) / (double)(m1.Total - m0.Total) * cores;
            stealCpu = (m1.Steal - m0.Steal) / (double)(m1.Total - m0.Total) * cores;
            otherCpu = Math.Max(0, busy - (Pct(serverCpu0, serverCpu1) ?? 0) - (Pct(benchCpu0, benchCpu1) ?? 0));
        }

        var total = workers.Sum(w => (long)w.Count);
        var all = new long[total];
        long offset = 0;
        foreach (var w in workers)
        {
            Array.Copy(w.Latencies, 0, all, offset, w.Count);
            offset += w.Count;
        }
        Array.Sort(all);

        var result = new ScenarioResult
        {
            Name = name,
            Target = target,
            Seconds = durationSeconds,
            Ok = workers.Sum(w => w.Ok),
            Errors = workers.Sum(w => w.Errors),
            WarmupErrors = workers.Sum(w => w.WarmupErrors),
            Dropped = workers.Sum(w => w.Dropped),
            LatencyTicks = all,
            ConnectionsOpened = connectionsOpened(),
            ServerCpuPercent = Pct(serverCpu0, serverCpu1),
            BenchCpuPercent = Pct(benchCpu0, benchCpu1),
            OtherCpuPercent = otherCpu,
            StealCpuPercent = stealCpu,
            ErrorLog = errors,
        };
        if (serverPid is int pid)
        {
            var hwm = ProcFs.StatusKb(pid, "VmHWM");
            var rss = ProcFs.StatusKb(pid, "VmRSS");
            result.PeakRssMb = hwm / 1024.0;
            result.RssMb = rss / 1024.0;
            result.MaxSampledRssMb = maxSampledRssKb / 1024.0;
            if (!rssPeakReset && result.PeakRssMb is not null)
                Console.WriteLine("  (could not reset VmHWM via clear_refs: peak RSS is the process-lifetime peak)");
        }
        return result;
    }

    private static async Task DelayUntil(long timestamp, CancellationToken ct)
    {
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (timestamp > Stopwatch.GetTimestamp() && remaining > TimeSpan.Zero)
            await Task.Delay(remaining, ct);
    }

    private static async Task WorkerLoop(HttpClient http, WorkerPlan plan, Worker w, ErrorLog errors, long t0, long t1, CancellationToken ct)
    {
        var k = plan.StartOffset;
        var cycle = plan.Cycle;
        var buffer = w.Buffer;
        while (!ct.IsCancellationRequested)
        {
            var begin = Stopwatch.GetTimestamp();
            if (begin >= t1) break;

            var ok = false;
            try
            {
                using var request = plan.Create(k);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                // Drain the body into the worker's buffer (wrapping past its end: only the start is checked).
                var stream = await response.Content.ReadAsStreamAsync(ct);
                var length = 0;
                int n;
                while ((n = await stream.ReadAsync(buffer.AsMemory(length < buffer.Length ? length : 0), ct)) > 0)
                    length = length < buffer.Length ? length + n : length;
                var body = buffer.AsSpan(0, Math.Min(length, buffer.Length));

                if (response.StatusCode == HttpStatusCode.OK && body.IndexOf(plan.Marker(k)) >= 0)
                {
                    ok = true;
                }
                else
                {
                    var status = (int)response.StatusCode;
                    var text = Encoding.UTF8.GetString(body);
                    var key = status == 200
                        ? $"200 without {Encoding.UTF8.GetString(plan.Marker(k))} ({request.RequestUri?.AbsolutePath})"
                        : $"HTTP {status} ({request.RequestUri?.AbsolutePath}, {plan.Label})";
                    errors.Add(key, () => text);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                errors.Add($"{ex.GetType().Name} ({plan.Label})", () => ex.Message);
            }

            var end = Stopwatch.GetTimestamp();
            if (end >= t0 && end < t1)
            {
                if (w.Count < w.Latencies.Length) w.Latencies[w.Count++] = end - begin;
                else w.Dropped++;
                if (ok) w.Ok++; else w.Errors++;
            }
            else if (end < t0 && !ok)
            {
                w.WarmupErrors++;
            }

            if (++k >= cycle) k = 0;
        }
    }
}
