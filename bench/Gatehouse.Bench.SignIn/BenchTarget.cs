using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gatehouse.Server.Grants;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.Storage.Relational;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Gatehouse.Bench.SignIn;

internal sealed record GrantResult(string Grant, string Store, double GrantsPerSecond, double P50, double P99, long Errors, double? RowsPerGrant, string? FirstError)
{
    public string ToRow() =>
        $"| `{Grant}` | {Store} | {GrantsPerSecond:N0} | {P50:0.00} | {P99:0.00} | {Errors} | {(RowsPerGrant is { } r ? r.ToString("0.0") : "n/a")} |";
}

/// One server process over one store, with a person, a confidential client, and one-time values made in bulk.
internal sealed class BenchTarget : IAsyncDisposable
{
    private const string Verifier = "bench-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";
    private readonly string _dll, _store, _dataDir;
    private readonly string? _postgres, _database, _admin;
    private readonly int _workers, _seconds;
    private Process? _server;
    private string _baseUrl = "", _clientId = "", _secret = "", _sub = "";
    private Dictionary<string, string?> _settings = new();

    private BenchTarget(string dll, string store, string? postgres, string? database, string? admin, int workers, int seconds)
    {
        _dll = dll; _store = store; _postgres = postgres; _database = database; _admin = admin; _workers = workers; _seconds = seconds;
        _dataDir = Directory.CreateTempSubdirectory("gatehouse-signin-bench-").FullName;
    }

    public static async Task<BenchTarget> StartAsync(string dll, string store, string? postgres, int workers, int seconds)
    {
        string? connection = null, database = null;
        if (store == "postgres")
        {
            database = "gh_signin_bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            await using (var admin = new NpgsqlConnection(postgres))
            {
                await admin.OpenAsync();
                await new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin).ExecuteNonQueryAsync();
            }
            connection = new NpgsqlConnectionStringBuilder(postgres) { Database = database }.ConnectionString;
        }
        var target = new BenchTarget(dll, store, connection, database, postgres, workers, seconds);
        await target.ProvisionAndStartAsync();
        return target;
    }

    private async Task ProvisionAndStartAsync()
    {
        var port = FreePort();
        _baseUrl = $"http://127.0.0.1:{port}";
        _settings = new()
        {
            ["Gatehouse:DataDirectory"] = _dataDir,
            ["Gatehouse:Issuer"] = _baseUrl,
            ["Gatehouse:KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Gatehouse:Management:Urls"] = "", // /readyz and /metrics on the bench server's own port
        };
        if (_postgres is not null)
        {
            _settings["Gatehouse:Storage:Provider"] = "postgres";
            _settings["Gatehouse:Storage:ConnectionString"] = _postgres;
        }
        var user = await CliAsync("Benchmark Person\n", "users", "create", "--email", "bench@acme.example", "--name", "Bench Person", "--password-stdin", "--json");
        _sub = JsonDocument.Parse(user).RootElement.GetProperty("sub").GetString()!;
        var client = JsonDocument.Parse(await CliAsync(null, "clients", "create", "--name", "bench-web", "--grant-type", "authorization_code",
            "--grant-type", "refresh_token", "--redirect-uri", "https://bench.example/cb", "--rate-limit", "1000000", "--json")).RootElement;
        _clientId = client.GetProperty("client_id").GetString()!;
        _secret = client.GetProperty("client_secret").GetString()!;

        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(_dll);
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(_baseUrl);
        foreach (var (key, value) in _settings) start.ArgumentList.Add($"--{key}={value}");
        _server = Process.Start(start)!;
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        using var probe = new HttpClient();
        for (var i = 0; ; i++)
        {
            try { if ((await probe.GetAsync(_baseUrl + "/healthz")).IsSuccessStatusCode) break; }
            catch (HttpRequestException) { if (i > 300) throw; }
            await Task.Delay(100);
        }
    }

    public async Task<GrantResult> RunAsync(string grant)
    {
        // More than the run can use: each value is spent once.
        const int count = 100_000;
        var values = await MakeAsync(grant, count);
        var bodies = values.Select(v => Encoding.ASCII.GetBytes(grant == "authorization_code"
            ? $"grant_type=authorization_code&code={v}&redirect_uri=https%3A%2F%2Fbench.example%2Fcb&code_verifier={Verifier}"
            : $"grant_type=refresh_token&refresh_token={v}")).ToArray();
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_clientId}:{_secret}"));
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = _workers, UseProxy = false, UseCookies = false });

        var next = -1;
        var warmup = TimeSpan.FromSeconds(3);
        var clock = Stopwatch.StartNew();
        var measuredFrom = warmup;
        var end = warmup + TimeSpan.FromSeconds(_seconds);
        var latencies = new List<long>[_workers];
        long errors = 0, measuredOk = 0, allOk = 0;
        string? firstError = null;
        // Rows over the whole run (warm-up included) divided by every grant made: the statistics lag by up to a second.
        var rowsBefore = await RowsWrittenAsync();
        clock.Restart();
        await Task.WhenAll(Enumerable.Range(0, _workers).Select(async w =>
        {
            latencies[w] = new List<long>(1 << 16);
            while (clock.Elapsed < end)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= bodies.Length) break;
                using var request = new HttpRequestMessage(HttpMethod.Post, _baseUrl + "/oauth/token") { Content = new ByteArrayContent(bodies[i]) };
                request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");
                request.Headers.TryAddWithoutValidation("Authorization", basic);
                var started = clock.ElapsedTicks;
                using var response = await http.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                var measured = clock.Elapsed >= measuredFrom;
                if (response.StatusCode != HttpStatusCode.OK || !text.Contains("\"access_token\""))
                {
                    if (measured) Interlocked.Increment(ref errors);
                    firstError ??= $"{(int)response.StatusCode} {text}";
                    continue;
                }
                Interlocked.Increment(ref allOk);
                if (measured)
                {
                    latencies[w].Add(clock.ElapsedTicks - started);
                    Interlocked.Increment(ref measuredOk);
                }
            }
        }));
        var rowsAfter = await RowsWrittenAsync();
        var sorted = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)] * 1000.0 / Stopwatch.Frequency;
        double? rows = _postgres is null || allOk == 0 ? null : (rowsAfter - rowsBefore) / (double)allOk;
        return new GrantResult(grant, _store, measuredOk / (double)_seconds, Percentile(0.5), Percentile(0.99), errors, rows, firstError);
    }

    /// Rows inserted, updated and deleted in the benchmark's database (pg_stat_database; flushed by the stats collector).
    private async Task<long> RowsWrittenAsync()
    {
        if (_postgres is null) return 0;
        await Task.Delay(1100); // the statistics are reported at most every second
        await using var connection = new NpgsqlConnection(_postgres);
        await connection.OpenAsync();
        await new NpgsqlCommand("SELECT pg_stat_force_next_flush()", connection).ExecuteNonQueryAsync().ContinueWith(_ => { });
        var value = await new NpgsqlCommand(
            "SELECT tup_inserted + tup_updated + tup_deleted FROM pg_stat_database WHERE datname = current_database()", connection).ExecuteScalarAsync();
        return Convert.ToInt64(value);
    }

    /// Codes (or refresh tokens) of live grants for the bench person, written in one transaction through the
    /// server's own database code.
    private async Task<string[]> MakeAsync(string grant, int count)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(_settings).Build();
        await using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddGatehouseCore().BuildServiceProvider();
        var database = services.GetRequiredService<RelationalDatabase>();
        var now = DateTimeOffset.UtcNow;
        var challenge = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(Verifier)));
        var values = new string[count];
        await database.InTransactionAsync(async (connection, transaction) =>
        {
            for (var i = 0; i < count; i++)
            {
                var grantId = "grt_bench_" + Guid.NewGuid().ToString("N");
                await database.ExecuteAsync(connection, transaction,
                    "INSERT INTO grants(grant_id, client_id, sub, scopes, audience, sid, auth_time, amr, created_at, expires_at) " +
                    "VALUES (@id, @client, @sub, 'openid profile', 'public/v1', NULL, @now, 'pwd', @now, @expires)", default,
                    ("id", grantId), ("client", _clientId), ("sub", _sub), ("now", now), ("expires", now.AddDays(90)));
                if (grant == "authorization_code")
                {
                    values[i] = GrantHandles.NewCode();
                    await database.ExecuteAsync(connection, transaction,
                        "INSERT INTO authorization_codes(code_hash, grant_id, client_id, redirect_uri, code_challenge, nonce, created_at, expires_at) " +
                        "VALUES (@hash, @grant, @client, 'https://bench.example/cb', @challenge, 'n', @now, @expires)", default,
                        ("hash", GrantHandles.Hash(values[i])), ("grant", grantId), ("client", _clientId), ("challenge", challenge),
                        ("now", now), ("expires", now.AddHours(1)));
                }
                else
                {
                    values[i] = GrantHandles.NewRefreshToken();
                    await database.ExecuteAsync(connection, transaction,
                        "INSERT INTO refresh_tokens(token_hash, grant_id, client_id, created_at, expires_at) VALUES (@hash, @grant, @client, @now, @expires)", default,
                        ("hash", GrantHandles.Hash(values[i])), ("grant", grantId), ("client", _clientId), ("now", now), ("expires", now.AddDays(30)));
                }
            }
            return (true, true);
        }, default);
        return values;
    }

    private async Task<string> CliAsync(string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(_dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (key, value) in _settings) start.ArgumentList.Add($"--{key}={value}");
        using var cli = Process.Start(start)!;
        if (stdin is not null) await cli.StandardInput.WriteAsync(stdin);
        cli.StandardInput.Close();
        var output = await cli.StandardOutput.ReadToEndAsync();
        var error = await cli.StandardError.ReadToEndAsync();
        await cli.WaitForExitAsync();
        if (cli.ExitCode != 0) throw new InvalidOperationException($"gatehouse {string.Join(' ', args)}: {error}");
        return output;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is { HasExited: false }) { _server.Kill(entireProcessTree: true); await _server.WaitForExitAsync(); }
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
        if (_database is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(_admin);
            await admin.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", admin).ExecuteNonQueryAsync();
        }
    }
}
