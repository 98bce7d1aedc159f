// Gatehouse load benchmark. See bench/README.md.
//
//   dotnet run -c Release --project bench/Gatehouse.Bench -- [--duration 20] [--connections 32] [--scenario all]
//
// Builds src/Gatehouse.Server and bench/Gatehouse.Bench.Floor (Release), runs each as a child
// process on 127.0.0.1, provisions clients through the gatehouse CLI, drives closed-loop load
// over keep-alive connections and prints throughput, latency percentiles, errors and server RSS.
using System.Diagnostics;
using System.Runtime.InteropServices;
using Gatehouse.Bench;

Options options;
try
{
    options = Options.Parse(args);
}
catch (HelpRequestedException)
{
    Console.WriteLine(Options.Usage);
    return 0;
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine(Options.Usage);
    return 64;
}

using var cts = new CancellationTokenSource();
var interrupts = 0;
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    if (Interlocked.Increment(ref interrupts) > 1) { Child.KillAll(); Environment.Exit(130); }
    Console.Error.WriteLine("\ninterrupted: stopping load and child processes (Ctrl-C again to force)");
    cts.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; cts.Cancel(); });
using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx => { ctx.Cancel = true; cts.Cancel(); });
AppDomain.CurrentDomain.ProcessExit += (_, _) => Child.KillAll();
AppDomain.CurrentDomain.UnhandledException += (_, _) => Child.KillAll();

string? dataDir = null;
try
{
    return await Bench.RunAsync(options, d => dataDir = d, cts.Token);
}
catch (OperationCanceledException) when (cts.IsCancellationRequested)
{
    Console.Error.WriteLine("benchmark interrupted; no results written");
    return 130;
}
catch (BenchException ex)
{
    Console.Error.WriteLine($"\nbenchmark failed: {ex.Message}");
    return 1;
}
catch (Exception ex)
{
    Console.Error.WriteLine($"\nbenchmark failed: {ex}");
    return 1;
}
finally
{
    Child.KillAll();
    if (dataDir is not null)
        try { Directory.Delete(dataDir, recursive: true); } catch (Exception) { /* best effort */ }
}

namespace Gatehouse.Bench
{
    internal static class Bench
    {
        private const double TargetRatio = 0.8;
        private const double TargetP99Ms = 10.0;
        private const double TargetRssMb = 200.0;

        public static async Task<int> RunAsync(Options o, Action<string> registerDataDir, CancellationToken ct)
        {
            var repoRoot = FindRepoRoot();
            var machine = $"{Environment.ProcessorCount} cores ({ProcFs.CpuModel()}), {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}";
            Console.WriteLine("Gatehouse load benchmark");
            Console.WriteLine($"  machine     {machine}");
            Console.WriteLine($"  load        {o.Connections} keep-alive connections, closed loop (one request in flight per connection), " +
                              $"warmup {o.WarmupSeconds} s + measured {o.DurationSeconds} s per scenario");
            Console.WriteLine($"  scenarios   {string.Join(", ", Options.KnownScenarios.Where(o.Wants))}");
            Console.WriteLine($"  NOTE: the load generator runs on the same {Environment.ProcessorCount} cores as the server under test; " +
                              "every figure is for client and server sharing the CPU (see the CPU line of each scenario).");
            Console.WriteLine();

            // ---- build ---------------------------------------------------------------------------------
            string? serverDll = null, floorDll = null;
            if (o.NeedsServerDll)
            {
                serverDll = o.ServerDll is not null ? Path.GetFullPath(o.ServerDll)
                    : o.NoBuild ? Servers.Locate(Path.Combine(repoRoot, "src", "Gatehouse.Server"), "gatehouse.dll")
                    : await Servers.BuildAsync(repoRoot, Path.Combine("src", "Gatehouse.Server", "Gatehouse.Server.csproj"), "gatehouse.dll", ct);
                if (serverDll is null || !File.Exists(serverDll))
                    throw new BenchException("no gatehouse.dll: build src/Gatehouse.Server in Release or pass --server-dll");
            }
            if (o.Wants("floor"))
            {
                floorDll = o.NoBuild ? Servers.Locate(Path.Combine(repoRoot, "bench", "Gatehouse.Bench.Floor"), "Gatehouse.Bench.Floor.dll")
                    : await Servers.BuildAsync(repoRoot, Path.Combine("bench", "Gatehouse.Bench.Floor", "Gatehouse.Bench.Floor.csproj"), "Gatehouse.Bench.Floor.dll", ct);
                if (floorDll is null) throw new BenchException("no Gatehouse.Bench.Floor.dll: build bench/Gatehouse.Bench.Floor in Release");
            }

            var results = new Dictionary<string, ScenarioResult>();
            IReadOnlyList<BenchClient>? clients = null;
            double? serverLifetimePeakMb = null;
            Child? server = null, floor = null;
            HttpClient? gatehouseHttp = null, floorHttp = null;
            Func<int>? gatehouseOpened = null, floorOpened = null;
            Uri? baseUri = null, floorUri = null;

            try
            {
                // ---- start Gatehouse and provision clients --------------------------------------------------
                if (o.NeedsGatehouse)
                {
                    var dataDir = Directory.CreateTempSubdirectory("gatehouse-bench-").FullName;
                    registerDataDir(dataDir);
                    var port = Servers.FreePort();
                    baseUri = new Uri($"http://127.0.0.1:{port}");
                    Console.WriteLine($"starting gatehouse: {serverDll} serve --urls {baseUri} --data-dir {dataDir} (Production, log level Warning)");
                    server = Servers.StartGatehouse(serverDll!, port, dataDir);
                    (gatehouseHttp, gatehouseOpened) = LoadClient.Create(o.Connections);

                    var sw = Stopwatch.StartNew();
                    await Servers.WaitReadyAsync(server, gatehouseHttp, baseUri, ["/healthz", "/.well-known/openid-configuration"], TimeSpan.FromSeconds(60), ct);
                    Console.WriteLine($"  up in {sw.Elapsed.TotalSeconds:0.0} s (pid {server.Pid})");

                    sw.Restart();
                    var created = new List<BenchClient>();
                    for (var i = 1; i <= o.Clients; i++)
                        created.Add(await Servers.CreateClientAsync(serverDll!, dataDir, $"bench-{i}", ct));
                    clients = created;
                    Console.WriteLine($"  created {created.Count} clients with `gatehouse clients create --rate-limit 1000000 --json` in {sw.Elapsed.TotalSeconds:0.0} s " +
                                      $"(scopes of bench-1: {string.Join(' ', created[0].Scopes)})");
                    var accepted = await Scenarios.WaitClientsAcceptedAsync(gatehouseHttp, new Uri(baseUri, "/oauth/token"), created, TimeSpan.FromSeconds(30), ct);
                    Console.WriteLine($"  server accepted all clients after {accepted.TotalSeconds:0.00} s");
                }

                // ---- start the floor (alongside Gatehouse: idle servers cost nothing, and it lets the two be interleaved)
                if (o.Wants("floor"))
                {
                    var port = Servers.FreePort();
                    floorUri = new Uri($"http://127.0.0.1:{port}");
                    Console.WriteLine($"starting floor: {floorDll} --urls {floorUri} (Production, same GC settings as gatehouse)");
                    floor = Servers.StartFloor(floorDll!, port);
                    (floorHttp, floorOpened) = LoadClient.Create(o.Connections);
                    await Servers.WaitReadyAsync(floor, floorHttp, floorUri, ["/healthz"], TimeSpan.FromSeconds(60), ct);
                    Console.WriteLine($"  up (pid {floor.Pid}); it gets the token scenario's exact requests{(clients is null ? " (synthetic credentials)" : "")}");
                }
                Console.WriteLine();

                void TrackLifetimePeak()
                {
                    if (server is not null && ProcFs.StatusKb(server.Pid, "VmHWM") is long kb)
                        serverLifetimePeakMb = Math.Max(serverLifetimePeakMb ?? 0, kb / 1024.0);
                }

                // ---- token and floor ---------------------------------------------------------------------------------
                LoadSession? tokenSession = null, floorSession = null;
                if (o.Wants("token"))
                {
                    var plans = Scenarios.TokenPlans(new Uri(baseUri!, "/oauth/token"), clients!, o.Connections);
                    Report.Problems("token", await Scenarios.CheckTokenPlansAsync(gatehouseHttp!, plans, strictClaims: true, ct));
                    TrackLifetimePeak();
                    tokenSession = new LoadSession("token", "POST /oauth/token", gatehouseHttp!, gatehouseOpened!, plans, o.DurationSeconds, server!.Pid);
                }
                if (o.Wants("floor"))
                {
                    var plans = Scenarios.TokenPlans(new Uri(floorUri!, "/oauth/token"), clients ?? Scenarios.FakeClients(o.Clients), o.Connections);
                    Report.Problems("floor", await Scenarios.CheckTokenPlansAsync(floorHttp!, plans, strictClaims: true, ct));
                    floorSession = new LoadSession("floor", "bare minimal API: ReadFormAsync + ES256 sign", floorHttp!, floorOpened!, plans, o.DurationSeconds, floor!.Pid);
                }
                using (tokenSession)
                using (floorSession)
                {
                    var both = tokenSession is not null && floorSession is not null;
                    var slices = both ? o.Slices : 1;
                    var sliceSeconds = (double)o.DurationSeconds / slices;
                    if (both)
                        Console.WriteLine($"token and floor: warmup {o.WarmupSeconds} s each, then {slices} alternating slices of {sliceSeconds:0.#} s each " +
                                          "(token, floor, token, floor, ...) so that other load on the machine hits both alike");
                    if (tokenSession is not null) await tokenSession.WarmupAsync(o.WarmupSeconds, ct);
                    if (floorSession is not null) await floorSession.WarmupAsync(o.WarmupSeconds, ct);
                    void Alive(string when) { server?.EnsureAlive(when); floor?.EnsureAlive(when); }
                    Alive("during warmup");
                    for (var i = 0; i < slices; i++)
                    {
                        if (tokenSession is not null) await tokenSession.MeasureAsync(sliceSeconds, ct);
                        if (floorSession is not null) await floorSession.MeasureAsync(sliceSeconds, ct);
                        Alive($"during the token/floor run (slice {i + 1} of {slices})");
                    }
                    var note = both ? $"measured in {slices} slices alternating with the other" : null;
                    if (tokenSession is not null) results["token"] = Report.Scenario(tokenSession.Finish(note), o, server!);
                    if (floorSession is not null) results["floor"] = Report.Scenario(floorSession.Finish(note), o, floor!);
                }
                floor?.Kill();

                // ---- introspection and discovery -----------------------------------------------------------------
                if (o.Wants("introspect"))
                {
                    server!.EnsureAlive("before the introspection scenario");
                    var tokenUri = new Uri(baseUri!, "/oauth/token");
                    var pool = await Scenarios.MintPoolAsync(gatehouseHttp!, tokenUri, clients!, 32, o.Connections, ct);
                    var plans = Scenarios.IntrospectionPlans(new Uri(baseUri!, "/oauth/introspect"), clients!, pool, o.Connections);
                    Report.Problems("introspect", await Scenarios.CheckIntrospectionPlansAsync(gatehouseHttp!, plans, clients!, ct));
                    TrackLifetimePeak();
                    using var session = new LoadSession("introspect", "POST /oauth/introspect", gatehouseHttp!, gatehouseOpened!, plans, o.DurationSeconds, server!.Pid);
                    await session.WarmupAsync(o.WarmupSeconds, ct);
                    await session.MeasureAsync(o.DurationSeconds, ct);
                    server.EnsureAlive("during the introspection scenario");
                    results["introspect"] = Report.Scenario(session.Finish(), o, server);
                }
                if (o.Wants("discovery"))
                {
                    server!.EnsureAlive("before the discovery scenario");
                    Report.Problems("discovery", await Scenarios.CheckDiscoveryAsync(gatehouseHttp!, baseUri!, ct));
                    TrackLifetimePeak();
                    using var session = new LoadSession("discovery", "GET openid-configuration + jwks.json", gatehouseHttp!, gatehouseOpened!,
                        Scenarios.DiscoveryPlans(baseUri!, o.Connections), o.DurationSeconds, server!.Pid);
                    await session.WarmupAsync(o.WarmupSeconds, ct);
                    await session.MeasureAsync(o.DurationSeconds, ct);
                    server.EnsureAlive("during the discovery scenario");
                    results["discovery"] = Report.Scenario(session.Finish(), o, server);
                }
                TrackLifetimePeak();
                server?.EnsureAlive("at the end of the run");
            }
            finally
            {
                server?.Dispose();
                floor?.Dispose();
                gatehouseHttp?.Dispose();
                floorHttp?.Dispose();
            }
            var ordered = Options.AllScenarios.Where(results.ContainsKey).Select(n => results[n]).ToList();

            // ---- scale: its own nodes (SQLite baseline, two on a fresh PostgreSQL database + Redis), after everything else has stopped
            Scale.Outcome? scale = null;
            if (o.Wants("scale"))
                scale = await Scale.RunAsync(o, repoRoot, serverDll!, machine, ct);

            // ---- summary -------------------------------------------------------------------------------------
            var output = o.Output is not null ? Path.GetFullPath(o.Output)
                : Path.Combine(repoRoot, "bench", "results", ordered.Count == 0 && scale is not null ? "scale.md" : "latest.md");
            var (markdown, targetsMet) = ordered.Count > 0 || scale is null
                ? Report.Summary(ordered, o, machine, serverLifetimePeakMb, TargetRatio, TargetP99Ms, TargetRssMb)
                : ("", true);
            if (scale is not null) markdown = markdown.Length == 0 ? scale.Markdown : markdown + Environment.NewLine + scale.Markdown;
            Console.WriteLine(markdown);
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            await File.WriteAllTextAsync(output, markdown, ct);
            Console.WriteLine($"written to {Path.GetRelativePath(Environment.CurrentDirectory, output)}");

            if (ordered.Concat(scale?.Results ?? []).Any(r => r.Errors > 0 || r.WarmupErrors > 0)) return 1;
            if (o.Strict && !targetsMet) return 2;
            return 0;
        }

        private static string FindRepoRoot()
        {
            foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            {
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                    if (File.Exists(Path.Combine(dir.FullName, "Gatehouse.slnx"))) return dir.FullName;
            }
            throw new BenchException("cannot find the repository root (Gatehouse.slnx) from the current directory or the bench binary");
        }
    }
}
