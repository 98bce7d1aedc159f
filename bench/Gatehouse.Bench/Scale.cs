using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Gatehouse.Bench;

/// <summary>
/// The `scale` scenario: token throughput of two Gatehouse nodes against one, both on one shared
/// PostgreSQL database and one Redis (the scale-out deployment of the README), with one SQLite node
/// (what the rest of the benchmark runs) as the baseline. The three cases are measured in alternating
/// slices, like token and floor, so other load on the machine hits them alike.
/// </summary>
internal static class Scale
{
    public const string PostgresVariable = "GATEHOUSE_BENCH_POSTGRES";
    public const string RedisVariable = "GATEHOUSE_BENCH_REDIS";
    public const string Issuer = "http://gatehouse.bench";

    /// <summary>One measured configuration: the nodes it drives, its own HttpClient and load session.</summary>
    private sealed class Case : IDisposable
    {
        public required string Name { get; init; }
        public required string Store { get; init; }
        public required Child[] Nodes { get; init; }
        public required HttpClient Http { get; init; }
        public required WorkerPlan[] Plans { get; init; }
        public required LoadSession Session { get; init; }
        public bool UsesBackends { get; init; }
        public double RedisCpuSeconds, PostgresCpuSeconds;
        public bool RedisCpuKnown = true, PostgresCpuKnown = true;
        public ScenarioResult? Result;

        /// <summary>CPU of the shared Redis and PostgreSQL during the measured slices, as % of one core (null when unknown).</summary>
        public double? BackendCpuPercent => UsesBackends && (RedisCpuKnown || PostgresCpuKnown) && Result is { Seconds: > 0 } r
            ? ((RedisCpuKnown ? RedisCpuSeconds : 0) + (PostgresCpuKnown ? PostgresCpuSeconds : 0)) / r.Seconds * 100 : null;

        /// <summary>CPU of everything besides the nodes, the load generator and (for PostgreSQL cases) the shared backends.</summary>
        public double? UnexplainedOtherPercent => Result?.OtherCpuPercent is double other
            ? Math.Max(0, other - (UsesBackends ? BackendCpuPercent ?? 0 : 0)) + (Result.StealCpuPercent ?? 0) : null;

        public void Dispose()
        {
            Session.Dispose();
            Http.Dispose();
        }
    }

    public sealed record Outcome(List<ScenarioResult> Results, string Markdown);

    public static async Task<Outcome> RunAsync(Options o, string repoRoot, string serverDll, string machine, CancellationToken ct)
    {
        Console.WriteLine("== scale: 2 Gatehouse nodes vs 1 on shared PostgreSQL + Redis (and 1 node on SQLite as the baseline) ==");
        Console.WriteLine($"  NOTE: this machine has {Environment.ProcessorCount} cores, shared by every node, PostgreSQL, Redis and the load generator: " +
                          "two nodes cannot exceed one here. The 2-node/1-node ratio shows the cost of the shared Redis rate-limit round trip " +
                          "and the absence of contention between nodes, not horizontal capacity; server CPU per request is the scale-out overhead figure.");
        var admin = await Backend(PostgresVariable, ".ci/postgres.sh", repoRoot, ct);
        var redis = await Backend(RedisVariable, ".ci/redis.sh", repoRoot, ct);
        var adminBuilder = new NpgsqlConnectionStringBuilder(admin);
        Console.WriteLine($"  PostgreSQL  {adminBuilder.Host}:{adminBuilder.Port} as {adminBuilder.Username} (from {Source(PostgresVariable, ".ci/postgres.sh")})");
        Console.WriteLine($"  Redis       {redis} (from {Source(RedisVariable, ".ci/redis.sh")})");

        var database = $"gh_bench_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        var root = Directory.CreateTempSubdirectory("gatehouse-bench-scale-").FullName;
        var cases = new List<Case>();
        var children = new List<Child>();
        var created = false;
        try
        {
            await using (var connection = new NpgsqlConnection(admin))
            {
                await connection.OpenAsync(ct);
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
                await create.ExecuteNonQueryAsync(ct);
                created = true;
            }
            var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
            Console.WriteLine($"  database    created {database} (dropped at the end)");

            string[] shared =
            [
                "--Gatehouse:Storage:Provider=postgres",
                $"--Gatehouse:Storage:ConnectionString={connectionString}",
                $"--Gatehouse:Redis:Configuration={redis}",
                $"--Gatehouse:KeyEncryptionKey={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
                $"--Gatehouse:Issuer={Issuer}",
                "--Gatehouse:RateLimits:TokenRequestsPerSecond=1000000",
            ];

            // ---- start: the SQLite baseline exactly as the rest of the benchmark runs it, then the two PostgreSQL nodes one after the other
            // (the first applies the migrations and creates the signing key; the second finds them).
            using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            async Task<(Child Node, Uri BaseUri)> Start(string name, string dataDir, string[]? settings)
            {
                var port = Servers.FreePort();
                var baseUri = new Uri($"http://127.0.0.1:{port}");
                var sw = Stopwatch.StartNew();
                var node = Servers.StartGatehouse(serverDll, port, dataDir, settings, name);
                children.Add(node);
                if (settings is null)
                {
                    await Servers.WaitReadyAsync(node, probe, baseUri, ["/healthz", "/.well-known/openid-configuration"], TimeSpan.FromSeconds(60), ct);
                }
                else
                {
                    await Servers.WaitReadyAsync(node, probe, baseUri, ["/readyz"], TimeSpan.FromSeconds(60), ct);
                    await RequireRedisAsync(probe, baseUri, name, ct);
                }
                Console.WriteLine($"  {name,-22} up in {sw.Elapsed.TotalSeconds:0.0} s on {baseUri} (pid {node.Pid})");
                return (node, baseUri);
            }
            var sqliteDir = Directory.CreateDirectory(Path.Combine(root, "sqlite")).FullName;
            var cliDir = Directory.CreateDirectory(Path.Combine(root, "cli")).FullName;
            var (sqliteNode, sqliteUri) = await Start("sqlite node", sqliteDir, null);
            var (node1, node1Uri) = await Start("postgres node 1", Directory.CreateDirectory(Path.Combine(root, "node1")).FullName, shared);
            var (node2, node2Uri) = await Start("postgres node 2", Directory.CreateDirectory(Path.Combine(root, "node2")).FullName, shared);

            // ---- provision the same number of clients in both stores, through the CLI
            var sqliteClients = new List<BenchClient>();
            var sharedClients = new List<BenchClient>();
            var provision = Stopwatch.StartNew();
            for (var i = 1; i <= o.Clients; i++)
            {
                sqliteClients.Add(await Servers.CreateClientAsync(serverDll, sqliteDir, $"bench-{i}", ct));
                sharedClients.Add(await Servers.CreateClientAsync(serverDll, cliDir, $"bench-{i}", ct, shared));
            }
            Console.WriteLine($"  created {o.Clients} clients in each store with `gatehouse clients create --rate-limit 1000000 --json` " +
                              $"(PostgreSQL: with the nodes' --Gatehouse:... settings) in {provision.Elapsed.TotalSeconds:0.0} s");
            var (acceptHttp, _) = LoadClient.Create(o.Connections);
            using (acceptHttp)
            {
                foreach (var (name, uri, clients) in new[] { ("sqlite node", sqliteUri, sqliteClients), ("postgres node 1", node1Uri, sharedClients), ("postgres node 2", node2Uri, sharedClients) })
                {
                    var accepted = await Scenarios.WaitClientsAcceptedAsync(acceptHttp, new Uri(uri, "/oauth/token"), clients, TimeSpan.FromSeconds(30), ct);
                    Console.WriteLine($"  {name} accepted all clients after {accepted.TotalSeconds:0.00} s");
                }
            }
            Console.WriteLine();

            // ---- the three cases, each with its own HttpClient (so "connections opened" is per case)
            Case NewCase(string name, string store, Child[] nodes, Uri[] baseUris, IReadOnlyList<BenchClient> clients, bool usesBackends)
            {
                var (http, opened) = LoadClient.Create(o.Connections);
                var plans = Scenarios.TokenPlans(baseUris.Select(u => new Uri(u, "/oauth/token")).ToArray(), clients, o.Connections);
                var session = new LoadSession(name, $"POST /oauth/token, {store}", http, opened, plans, o.DurationSeconds, nodes.Select(n => n.Pid).ToArray());
                var c = new Case { Name = name, Store = store, Nodes = nodes, Http = http, Plans = plans, Session = session, UsesBackends = usesBackends };
                cases.Add(c);
                return c;
            }
            var baseline = NewCase("scale 1 node sqlite", "SQLite", [sqliteNode], [sqliteUri], sqliteClients, usesBackends: false);
            var one = NewCase("scale 1 node", "PostgreSQL + Redis", [node1], [node1Uri], sharedClients, usesBackends: true);
            var two = NewCase("scale 2 nodes", "PostgreSQL + Redis", [node1, node2], [node1Uri, node2Uri], sharedClients, usesBackends: true);

            foreach (var c in cases)
            {
                var problems = await Scenarios.CheckTokenPlansAsync(c.Http, c.Plans, strictClaims: true, ct);
                if (c.UsesBackends) problems.AddRange(await CheckSharedIssuerAsync(c.Http, c.Plans, ct));
                Report.Problems(c.Name, problems);
            }

            var sliceSeconds = (double)o.DurationSeconds / o.Slices;
            Console.WriteLine($"scale: warmup {o.WarmupSeconds} s per case, then {o.Slices} rounds of {sliceSeconds:0.#} s slices " +
                              "(1 node SQLite, 1 node PostgreSQL + Redis, 2 nodes PostgreSQL + Redis, ...) so that other load on the machine hits all three alike");
            Console.WriteLine("  2 nodes: each worker is pinned to one node, dealt round robin in pairs (node (w + w/2) mod 2), so each node gets 16 of the 32 " +
                              "connections and every client with both authentication methods and both scope shapes");
            void Alive(string when) { foreach (var n in children) n.EnsureAlive(when); }
            foreach (var c in cases) await c.Session.WarmupAsync(o.WarmupSeconds, ct);
            Alive("during the scale warmup");
            var postgresLocal = IsLoopback(adminBuilder.Host);
            for (var i = 0; i < o.Slices; i++)
            {
                foreach (var c in cases)
                {
                    var redis0 = c.UsesBackends ? await RedisCpuSecondsAsync(redis, ct) : null;
                    var pg0 = c.UsesBackends && postgresLocal ? await BackendTicksAsync(admin, database, ct) : null;
                    await c.Session.MeasureAsync(sliceSeconds, ct);
                    var redis1 = c.UsesBackends ? await RedisCpuSecondsAsync(redis, ct) : null;
                    var pg1 = c.UsesBackends && postgresLocal ? await BackendTicksAsync(admin, database, ct) : null;
                    if (redis0 is double r0 && redis1 is double r1) c.RedisCpuSeconds += r1 - r0; else c.RedisCpuKnown = false;
                    if (pg0 is not null && pg1 is not null)
                        // Backends opened during the slice count in full; one closed during it is lost (the nodes pool their connections).
                        c.PostgresCpuSeconds += ProcFs.TicksToSeconds(pg1.Sum(kv => Math.Max(0, kv.Value - pg0.GetValueOrDefault(kv.Key))));
                    else c.PostgresCpuKnown = false;
                }
                Alive($"during the scale run (round {i + 1} of {o.Slices})");
            }
            var note = $"measured in {o.Slices} slices alternating with the other two scale cases";
            foreach (var c in cases) c.Result = Report.Scenario(c.Session.Finish(note), o, c.Nodes);
            Console.WriteLine("shared backends during each case's measured slices (Redis: the whole server, anything else using it included; " +
                              "PostgreSQL: the backends connected to the benchmark's database):");
            foreach (var c in cases)
            {
                if (!c.UsesBackends)
                {
                    Console.WriteLine($"  {c.Name,-20} uses neither; everything besides the node and the generator took {F(c.UnexplainedOtherPercent, 0)}% (incl. steal)");
                    continue;
                }
                Console.WriteLine($"  {c.Name,-20} Redis {F(PerRequest(c.RedisCpuSeconds, c.RedisCpuKnown, c.Result!), 1)} us, " +
                                  $"PostgreSQL {F(PerRequest(c.PostgresCpuSeconds, c.PostgresCpuKnown && postgresLocal, c.Result!), 1)} us CPU per successful request " +
                                  $"({F(c.BackendCpuPercent, 0)}% of one core together); everything besides the nodes, the generator and the backends took " +
                                  $"{F(c.UnexplainedOtherPercent, 0)}% (incl. steal)");
            }
            Console.WriteLine();

            var markdown = Summary(o, machine, baseline, one, two, postgresLocal);
            return new Outcome(cases.Select(c => c.Result!).ToList(), markdown);
        }
        finally
        {
            foreach (var c in cases) c.Dispose();
            foreach (var n in children) n.Dispose();
            if (created)
            {
                try
                {
                    NpgsqlConnection.ClearAllPools();
                    await using var connection = new NpgsqlConnection(admin);
                    await connection.OpenAsync(CancellationToken.None);
                    await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
                    await drop.ExecuteNonQueryAsync(CancellationToken.None);
                    Console.WriteLine($"  database    dropped {database}");
                }
                catch (Exception ex)
                {
                    Console.Error.WriteLine($"warning: could not drop database {database}: {ex.Message}");
                }
            }
            try { Directory.Delete(root, recursive: true); } catch (Exception) { /* best effort */ }
        }
    }

    private static string Summary(Options o, string machine, Case baseline, Case one, Case two, bool postgresLocal)
    {
        var cores = Environment.ProcessorCount;
        var sb = new StringBuilder();
        sb.AppendLine("## Scale-out benchmark: two nodes against one");
        sb.AppendLine();
        sb.AppendLine($"Run {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} UTC with " +
                      $"`dotnet run -c Release --project bench/Gatehouse.Bench -- --scenario scale --duration {o.DurationSeconds} --connections {o.Connections}` on {machine}.");
        sb.AppendLine($"`POST /oauth/token` (client_credentials, {o.Clients} clients, the `token` scenario's requests), {o.Connections} keep-alive connections in total, closed loop, " +
                      $"{o.WarmupSeconds} s warmup + {o.DurationSeconds} s measured per case in {o.Slices} alternating slices. " +
                      "The PostgreSQL nodes share one fresh database, one Redis (per-client rate limit counted there: one round trip per token), " +
                      "one root key and the issuer; with 2 nodes the connections are split evenly, each worker pinned to one node.");
        sb.AppendLine();
        sb.AppendLine($"**This machine has {cores} cores, shared by every node, PostgreSQL, Redis and the load generator, so two nodes cannot exceed one here.** " +
                      "The 2-node / 1-node throughput ratio shows the cost of the shared Redis rate-limit round trip and that the nodes do not contend " +
                      "with each other; it says nothing about horizontal capacity. The figure that shows the scale-out overhead is the server CPU per " +
                      "request (utime + stime summed over the node processes, from `/proc/PID/stat`).");
        sb.AppendLine();
        sb.AppendLine("| case | store | req/s | p50 ms | p99 ms | errors | server CPU us / req | server CPU % | Redis CPU us / req | PostgreSQL CPU us / req |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var c in new[] { baseline, one, two })
        {
            var r = c.Result!;
            var redisCell = c.UsesBackends ? F(PerRequest(c.RedisCpuSeconds, c.RedisCpuKnown, r), 1) : "-";
            var pgCell = c.UsesBackends ? F(PerRequest(c.PostgresCpuSeconds, c.PostgresCpuKnown && postgresLocal, r), 1) : "-";
            sb.AppendLine($"| {c.Nodes.Length} node{(c.Nodes.Length > 1 ? "s" : "")} | {c.Store} | {F(r.Rps, 0)} | {F(r.PercentileMs(50), 2)} | {F(r.PercentileMs(99), 2)} | " +
                          $"{r.Errors + r.WarmupErrors} | {F(r.ServerCpuMicrosPerRequest, 1)} | {F(r.ServerCpuPercent, 0)} | {redisCell} | {pgCell} |");
        }
        sb.AppendLine();
        var r1 = one.Result!;
        var r2 = two.Result!;
        var rb = baseline.Result!;
        sb.AppendLine("| ratio | throughput | server CPU per request |");
        sb.AppendLine("| --- | ---: | ---: |");
        sb.AppendLine($"| 2 nodes / 1 node (PostgreSQL + Redis) | {Ratio(r2.Rps, r1.Rps)} | {Ratio(r2.ServerCpuMicrosPerRequest, r1.ServerCpuMicrosPerRequest)} |");
        sb.AppendLine($"| 1 node PostgreSQL + Redis / 1 node SQLite | {Ratio(r1.Rps, rb.Rps)} | {Ratio(r1.ServerCpuMicrosPerRequest, rb.ServerCpuMicrosPerRequest)} |");
        sb.AppendLine($"| 2 nodes PostgreSQL + Redis / 1 node SQLite | {Ratio(r2.Rps, rb.Rps)} | {Ratio(r2.ServerCpuMicrosPerRequest, rb.ServerCpuMicrosPerRequest)} |");
        sb.AppendLine();
        sb.AppendLine("Redis CPU is the whole Redis server's during the case's measured slices (`INFO cpu`: anything else using it at the time is included); " +
                      "PostgreSQL CPU is that of the backends connected to the benchmark's database (pids from `pg_stat_activity`, CPU from `/proc`; " +
                      "PostgreSQL's background writers are not included); both divided by the case's successful requests.");
        var cpu = new[] { baseline, one, two }.Select(c =>
            $"{c.Name} {F(c.Result!.ServerCpuPercent, 0)}% / {F(c.Result!.BenchCpuPercent, 0)}% / {(c.UsesBackends ? F(c.BackendCpuPercent, 0) + "%" : "-")} / {F(c.UnexplainedOtherPercent, 0)}%");
        sb.AppendLine($"CPU during the measured window, server nodes / load generator / Redis + PostgreSQL / everything else and steal (of {cores * 100}%): {string.Join(", ", cpu)}.");
        var noisy = new[] { baseline, one, two }.Where(c => c.UnexplainedOtherPercent > 15).Select(c => c.Name).ToList();
        if (noisy.Count > 0)
            sb.AppendLine($"Other processes or hypervisor steal took over 15% of the CPU during: {string.Join(", ", noisy)}; throughput and latency of those rows are pessimistic and noisy (CPU per request much less so), and the 2-node row is favoured: " +
                          "two server processes take a larger share of the CPU from the other processes than one does.");
        return sb.ToString();
    }

    private static string Ratio(double? a, double? b) =>
        a is double x && b is double y && y > 0 && !double.IsNaN(x) ? F(x / y, 2) : "n/a";

    private static double? PerRequest(double cpuSeconds, bool known, ScenarioResult r) =>
        known && r.Ok > 0 ? cpuSeconds / r.Ok * 1e6 : null;

    private static string F(double? v, int decimals) => Report.F(v, decimals);

    private static string Source(string variable, string script) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } ? $"${variable}" : $"`bash {script}`";

    /// <summary>The environment variable, or the last line the CI script prints (it starts the service when needed).</summary>
    private static async Task<string> Backend(string variable, string script, string repoRoot, CancellationToken ct)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value) return value.Trim();
        Console.WriteLine($"  {variable} is not set: running `bash {script}`");
        var (code, stdout, tail) = await Child.RunAsync(script, "bash", [script], repoRoot, Servers.ChildEnvironment(), TimeSpan.FromMinutes(10), ct);
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (code != 0 || string.IsNullOrEmpty(line))
            throw new BenchException($"`bash {script}` failed (exit {code}); set {variable} instead:\n{tail}");
        return line;
    }

    /// <summary>A PostgreSQL node without Redis would measure something else: refuse to go on.</summary>
    private static async Task RequireRedisAsync(HttpClient http, Uri baseUri, string name, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        var last = "";
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(baseUri, "/readyz"), ct);
                last = await response.Content.ReadAsStringAsync(ct);
                using var doc = JsonDocument.Parse(last);
                if (doc.RootElement.GetProperty("checks").GetProperty("redis").GetString() == "ok") return;
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException
                                           || (ex is TaskCanceledException && !ct.IsCancellationRequested))
            {
                last = ex.Message;
            }
            if (DateTime.UtcNow > deadline) throw new BenchException($"{name}: /readyz does not report redis ok within 20 s: {last}");
            await Task.Delay(200, ct);
        }
    }

    /// <summary>Both nodes issue for the public issuer and sign with the same shared key.</summary>
    private static async Task<List<string>> CheckSharedIssuerAsync(HttpClient http, WorkerPlan[] plans, CancellationToken ct)
    {
        var problems = new List<string>();
        var kids = new HashSet<string>();
        foreach (var plan in plans.DistinctBy(p => p.Uris[0]))
        {
            using var request = plan.Create(0);
            using var response = await http.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            try
            {
                using var doc = JsonDocument.Parse(text);
                var jwt = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(doc.RootElement.GetProperty("access_token").GetString());
                if (jwt.Issuer != Issuer) problems.Add($"[{plan.Uris[0].Authority}] iss {jwt.Issuer}, expected {Issuer}");
                kids.Add(jwt.Kid);
            }
            catch (Exception ex) { problems.Add($"[{plan.Uris[0].Authority}] {ex.GetType().Name}: {ex.Message}"); }
        }
        if (kids.Count > 1) problems.Add($"the nodes sign with different keys ({string.Join(", ", kids)}): the signing key is not shared");
        return problems;
    }

    /// <summary>
    /// CPU ticks of every PostgreSQL backend connected to the benchmark's database (pids from pg_stat_activity,
    /// CPU from /proc): the nodes' queries, not other databases' (a test run may be using the same server).
    /// </summary>
    private static async Task<Dictionary<int, long>?> BackendTicksAsync(string admin, string database, CancellationToken ct)
    {
        try
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync(ct);
            await using var query = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE datname = @db", connection);
            query.Parameters.AddWithValue("db", database);
            var ticks = new Dictionary<int, long>();
            await using var reader = await query.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                if (ProcFs.CpuTicks(reader.GetInt32(0)) is long t) ticks[reader.GetInt32(0)] = t;
            return ticks;
        }
        catch (NpgsqlException) { return null; }
    }

    private static bool IsLoopback(string? host) =>
        host is "localhost" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>used_cpu_sys + used_cpu_user from Redis `INFO cpu` (plain RESP over TCP; null when it cannot be read).</summary>
    private static async Task<double?> RedisCpuSecondsAsync(string configuration, CancellationToken ct)
    {
        var endpoint = configuration.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(p => !p.Contains('='));
        if (endpoint is null) return null;
        var colon = endpoint.LastIndexOf(':');
        var host = colon > 0 ? endpoint[..colon] : endpoint;
        var port = colon > 0 && int.TryParse(endpoint[(colon + 1)..], out var p) ? p : 6379;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(host, port, timeout.Token);
            var stream = tcp.GetStream();
            await stream.WriteAsync("*2\r\n$4\r\nINFO\r\n$3\r\ncpu\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[8192];
            var length = 0;
            while (length < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(length), timeout.Token);
                if (n == 0) break;
                length += n;
                var text = Encoding.ASCII.GetString(buffer, 0, length);
                // "$<len>\r\n<payload>\r\n": stop once the whole bulk string is in.
                var header = text.IndexOf("\r\n", StringComparison.Ordinal);
                if (text.StartsWith('-')) return null;
                if (header > 0 && int.TryParse(text.AsSpan(1, header - 1), out var bulk) && length >= header + 2 + bulk) break;
            }
            double? sys = null, user = null;
            foreach (var line in Encoding.ASCII.GetString(buffer, 0, length).Split("\r\n"))
            {
                if (line.StartsWith("used_cpu_sys:", StringComparison.Ordinal)) sys = double.Parse(line[13..], System.Globalization.CultureInfo.InvariantCulture);
                else if (line.StartsWith("used_cpu_user:", StringComparison.Ordinal)) user = double.Parse(line[14..], System.Globalization.CultureInfo.InvariantCulture);
            }
            return sys + user;
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or FormatException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }
}
