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
    public string? Note { get; init; }
    public bool PeakRssReset { get; init; }
    public double? ServerCpuMicrosPerRequest { get; init; }
    /// <summary>Server processes the load went to; CPU is summed over them, RSS is the highest of them.</summary>
    public int Nodes { get; init; } = 1;
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

/// <summary>Creates the load generator's HttpClient: one SocketsHttpHandler, N keep-alive connections.</summary>
internal static class LoadClient
{
    public static (HttpClient Client, Func<int> ConnectionsOpened) Create(int connections)
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
}

/// <summary>
/// Closed-loop load against one server: N workers, each with one request in flight at a time, over
/// N keep-alive connections. A session can be measured in several slices (interleaved with another
/// session's) and accumulates latencies, counts and CPU over all of them.
/// </summary>
internal sealed class LoadSession : IDisposable
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

    private readonly string _name, _target;
    private readonly HttpClient _http;
    private readonly Func<int> _connectionsOpened;
    private readonly WorkerPlan[] _plans;
    private readonly Worker[] _workers;
    private readonly int[] _serverPids;
    private readonly ErrorLog _errors = new();
    private readonly bool _peakReset;
    private readonly CancellationTokenSource _sampling = new();
    private readonly Task _sampler;
    private long _maxSampledRssKb;
    private double _wallSeconds, _serverCpuSeconds, _benchCpuSeconds;
    private long _machineBusy, _machineSteal, _machineTotal;
    private bool _cpuKnown = true;

    public LoadSession(string name, string target, HttpClient http, Func<int> connectionsOpened, WorkerPlan[] plans,
        double measuredSeconds, int? serverPid)
        : this(name, target, http, connectionsOpened, plans, measuredSeconds, serverPid is int p ? [p] : [])
    {
    }

    /// <summary>Load spread over several server processes: CPU is the sum over <paramref name="serverPids"/>.</summary>
    public LoadSession(string name, string target, HttpClient http, Func<int> connectionsOpened, WorkerPlan[] plans,
        double measuredSeconds, int[] serverPids)
    {
        _name = name;
        _target = target;
        _http = http;
        _connectionsOpened = connectionsOpened;
        _plans = plans;
        _serverPids = serverPids;
        var perWorkerCapacity = (int)Math.Min(int.MaxValue / 2, (long)(MaxRecordedPerSecond * measuredSeconds / plans.Length) + 1024);
        _workers = plans.Select(_ => new Worker { Latencies = new long[perWorkerCapacity] }).ToArray();
        foreach (var w in _workers) Array.Fill(w.Latencies, 0L); // touch the pages before measuring

        _peakReset = serverPids.Length > 0 && serverPids.All(ProcFs.ResetPeakRss);
        _sampler = serverPids.Length > 0 ? Task.Run(() => SampleRssAsync(serverPids)) : Task.CompletedTask;
    }

    private async Task SampleRssAsync(int[] pids)
    {
        try
        {
            while (!_sampling.IsCancellationRequested)
            {
                foreach (var pid in pids)
                    if (ProcFs.StatusKb(pid, "VmRSS") is long kb && kb > _maxSampledRssKb) _maxSampledRssKb = kb;
                await Task.Delay(200, _sampling.Token);
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Load that is not measured (JIT tiering, connection setup, caches). Errors are still counted.</summary>
    public Task WarmupAsync(double seconds, CancellationToken ct)
    {
        var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        return RunWorkersAsync(end, end, ct);
    }

    /// <summary>One measured slice: every request that completes within it is recorded.</summary>
    public async Task MeasureAsync(double seconds, CancellationToken ct)
    {
        var serverCpu0 = ServerCpuSeconds();
        var benchCpu0 = ProcFs.CpuSeconds(Environment.ProcessId);
        var machine0 = ProcFs.MachineJiffies();
        var t0 = Stopwatch.GetTimestamp();
        var t1 = t0 + (long)(seconds * Stopwatch.Frequency);
        var run = RunWorkersAsync(t0, t1, ct);

        await DelayUntil(t1, ct);
        var wall = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        var serverCpu1 = ServerCpuSeconds();
        var benchCpu1 = ProcFs.CpuSeconds(Environment.ProcessId);
        var machine1 = ProcFs.MachineJiffies();
        await run;

        _wallSeconds += wall;
        if (serverCpu0 is double s0 && serverCpu1 is double s1) _serverCpuSeconds += s1 - s0; else if (_serverPids.Length > 0) _cpuKnown = false;
        if (benchCpu0 is double c0 && benchCpu1 is double c1) _benchCpuSeconds += c1 - c0; else _cpuKnown = false;
        if (machine0 is { } m0 && machine1 is { } m1)
        {
            _machineBusy += m1.Busy - m0.Busy;
            _machineSteal += m1.Steal - m0.Steal;
            _machineTotal += m1.Total - m0.Total;
        }
    }

    /// <summary>utime + stime summed over the server processes; null when one of them is unreadable.</summary>
    private double? ServerCpuSeconds()
    {
        if (_serverPids.Length == 0) return null;
        double sum = 0;
        foreach (var pid in _serverPids)
        {
            if (ProcFs.CpuSeconds(pid) is not double s) return null;
            sum += s;
        }
        return sum;
    }

    private Task RunWorkersAsync(long t0, long t1, CancellationToken ct)
    {
        var tasks = new Task[_plans.Length];
        for (var i = 0; i < _plans.Length; i++)
        {
            var plan = _plans[i];
            var worker = _workers[i];
            tasks[i] = Task.Run(() => WorkerLoop(_http, plan, worker, _errors, t0, t1, ct), ct);
        }
        return Task.WhenAll(tasks);
    }

    public ScenarioResult Finish(string? note = null)
    {
        _sampling.Cancel();
        _sampler.Wait();

        var cores = Environment.ProcessorCount * 100.0;
        double? Pct(double cpuSeconds) => _cpuKnown && _wallSeconds > 0 ? cpuSeconds / _wallSeconds * 100.0 : null;
        double? otherCpu = null, stealCpu = null;
        var serverPct = _serverPids.Length == 0 ? null : Pct(_serverCpuSeconds);
        var benchPct = Pct(_benchCpuSeconds);
        if (_machineTotal > 0)
        {
            var busy = _machineBusy / (double)_machineTotal * cores;
            stealCpu = _machineSteal / (double)_machineTotal * cores;
            otherCpu = Math.Max(0, busy - (serverPct ?? 0) - (benchPct ?? 0));
        }

        var total = _workers.Sum(w => (long)w.Count);
        var all = new long[total];
        long offset = 0;
        foreach (var w in _workers)
        {
            Array.Copy(w.Latencies, 0, all, offset, w.Count);
            offset += w.Count;
        }
        Array.Sort(all);

        var ok = _workers.Sum(w => w.Ok);
        var result = new ScenarioResult
        {
            Name = _name,
            Target = _target,
            Note = note,
            Seconds = _wallSeconds,
            Ok = ok,
            Errors = _workers.Sum(w => w.Errors),
            WarmupErrors = _workers.Sum(w => w.WarmupErrors),
            Dropped = _workers.Sum(w => w.Dropped),
            LatencyTicks = all,
            ConnectionsOpened = _connectionsOpened(),
            ServerCpuPercent = serverPct,
            BenchCpuPercent = benchPct,
            OtherCpuPercent = otherCpu,
            StealCpuPercent = stealCpu,
            Nodes = Math.Max(1, _serverPids.Length),
            ServerCpuMicrosPerRequest = _serverPids.Length > 0 && _cpuKnown && ok > 0 ? _serverCpuSeconds / ok * 1e6 : null,
            ErrorLog = _errors,
            PeakRssReset = _peakReset,
        };
        if (_serverPids.Length > 0)
        {
            result.PeakRssMb = _serverPids.Max(pid => ProcFs.StatusKb(pid, "VmHWM")) / 1024.0;
            result.RssMb = _serverPids.Max(pid => ProcFs.StatusKb(pid, "VmRSS")) / 1024.0;
            result.MaxSampledRssMb = _maxSampledRssKb / 1024.0;
        }
        return result;
    }

    public void Dispose()
    {
        _sampling.Cancel();
        _sampling.Dispose();
    }

    private static async Task DelayUntil(long timestamp, CancellationToken ct)
    {
        var now = Stopwatch.GetTimestamp();
        if (timestamp > now) await Task.Delay(Stopwatch.GetElapsedTime(now, timestamp), ct);
    }

    private static async Task WorkerLoop(HttpClient http, WorkerPlan plan, Worker w, ErrorLog errors, long t0, long t1, CancellationToken ct)
    {
        var k = (plan.StartOffset + w.Count) % plan.Cycle;
        var buffer = w.Buffer;
        var cycle = plan.Cycle;
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
