using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gatehouse.Bench.ResourceServer;

// Validation throughput of a protected endpoint: samples/PartnerApi (Gatehouse.ResourceServer: JWT
// signature, iss/aud/exp/typ, scope policy, revocation check) driven with one pre-minted token over N
// keep-alive connections. The API runs in its own process so its CPU time can be measured on its own.
// Usage: Gatehouse.Bench.ResourceServer [--connections 32] [--seconds 15] [--warmup 3]
var connections = Option("--connections", 32);
var seconds = Option("--seconds", 15);
var warmup = Option("--warmup", 3);

var dataDirectory = Directory.CreateTempSubdirectory("gatehouse-bench-rs-").FullName;
var serverDll = Path.Combine(AppContext.BaseDirectory, "server", "gatehouse.dll");
var apiDll = Path.Combine(AppContext.BaseDirectory, "api", "PartnerApi.dll");
try
{
    var caller = JsonDocument.Parse(await Child.RunAsync(serverDll, "clients", "create", "--name", "bench-caller", "--scope", "decisions:read", "--json", "--data-dir", dataDirectory)).RootElement;
    var api = JsonDocument.Parse(await Child.RunAsync(serverDll, "clients", "create", "--name", "bench-api", "--scope", "decisions:read", "--resource-server", "--json", "--data-dir", dataDirectory)).RootElement;
    using var server = await Child.StartAsync(serverDll, "serve", "--data-dir", dataDirectory, "--Gatehouse:Issuer={self}", "--Gatehouse:Management:Urls=");
    using var partnerApi = await Child.StartAsync(apiDll,
        $"--Gatehouse:Authority={server.BaseAddress}",
        $"--Gatehouse:ClientId={api.GetProperty("client_id").GetString()}",
        $"--Gatehouse:ClientSecret={api.GetProperty("client_secret").GetString()}");

    var token = await MintAsync(server.BaseAddress, caller.GetProperty("client_id").GetString()!, caller.GetProperty("client_secret").GetString()!);
    var url = partnerApi.BaseAddress + "/partner/v1/decisions/dec_1001";
    using (var check = new HttpClient())
    {
        check.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await check.GetAsync(url);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"the token is refused: {(int)response.StatusCode}");
    }

    await Load.RunAsync(url, token, connections, TimeSpan.FromSeconds(warmup), record: false);
    var cpuBefore = partnerApi.CpuTime;
    var benchCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var result = await Load.RunAsync(url, token, connections, TimeSpan.FromSeconds(seconds), record: true);
    var apiCpu = (partnerApi.CpuTime - cpuBefore).TotalSeconds;
    var benchCpu = (Process.GetCurrentProcess().TotalProcessorTime - benchCpuBefore).TotalSeconds;

    var elapsed = result.Elapsed.TotalSeconds;
    var rps = result.Requests / elapsed;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
        Gatehouse.ResourceServer validation throughput (GET /partner/v1/decisions/dec_1001, RequireScope("decisions:read"), ES256 JWT)
          machine cores      {Environment.ProcessorCount} (load generator and API share them)
          connections        {connections} keep-alive, {seconds} s after {warmup} s warm-up
          requests           {result.Requests:N0} ({result.Failures} not 200)
          throughput         {rps:N0} req/s
          latency            p50 {Load.Percentile(result.LatenciesMs, 50):N2} ms, p99 {Load.Percentile(result.LatenciesMs, 99):N2} ms
          API CPU            {apiCpu:N1} s = {apiCpu / elapsed:N2} cores busy; load generator {benchCpu / elapsed:N2} cores
          per core           {result.Requests / apiCpu:N0} req/s per API core (requests / API CPU-seconds)
        """));
    return result.Failures == 0 ? 0 : 1;
}
finally
{
    try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { }
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

static async Task<string> MintAsync(string issuer, string clientId, string secret)
{
    using var http = new HttpClient();
    using var request = new HttpRequestMessage(HttpMethod.Post, issuer + "/oauth/token")
    {
        Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "decisions:read" }),
    };
    request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
    using var response = await http.SendAsync(request);
    response.EnsureSuccessStatusCode();
    return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
}
