using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Gatehouse.Bench;

internal sealed record BenchClient(string ClientId, string ClientSecret, string[] Scopes);

/// <summary>Builds, starts and provisions the servers under test as child processes.</summary>
internal static class Servers
{
    public static Dictionary<string, string?> ChildEnvironment() => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["ASPNETCORE_URLS"] = null,
        ["DOTNET_gcServer"] = null, // each app's runtimeconfig decides (both: Server GC, non-concurrent)
        ["DOTNET_GCHeapCount"] = null,
        ["DOTNET_TieredCompilation"] = null,
        ["DOTNET_TieredPGO"] = null,
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
    };

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static async Task<string> BuildAsync(string repoRoot, string projectRelative, string assemblyFileName, CancellationToken ct)
    {
        var project = Path.Combine(repoRoot, projectRelative);
        Console.WriteLine($"building {projectRelative} (Release) ...");
        var env = ChildEnvironment();
        // `dotnet run` may leave MSBuild variables in our environment; a nested build must not inherit them.
        foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>())
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || key.StartsWith("MSBUILD", StringComparison.Ordinal))
                env[key] = null;
        var (code, _, tail) = await Child.RunAsync("dotnet build", Child.DotnetHost(),
            ["build", project, "-c", "Release", "-nologo", "-v", "q", "-clp:NoSummary;ErrorsOnly"], repoRoot, env,
            TimeSpan.FromMinutes(8), ct);
        if (code != 0)
            throw new BenchException($"`dotnet build -c Release {projectRelative}` failed (exit {code}):\n{tail}");
        return Locate(Path.GetDirectoryName(project)!, assemblyFileName)
            ?? throw new BenchException($"built {projectRelative} but found no {assemblyFileName} under its bin/Release");
    }

    public static string? Locate(string projectDirectory, string assemblyFileName)
    {
        var release = Path.Combine(projectDirectory, "bin", "Release");
        var expected = Path.Combine(release, "net10.0", assemblyFileName);
        if (File.Exists(expected)) return expected;
        if (!Directory.Exists(release)) return null;
        return Directory.EnumerateFiles(release, assemblyFileName, SearchOption.AllDirectories)
            .Where(f => File.Exists(Path.ChangeExtension(f, ".runtimeconfig.json")))
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .FirstOrDefault();
    }

    /// <param name="settings">extra `--Gatehouse:Key=value` arguments (the scale scenario's shared PostgreSQL, Redis, root key and issuer)</param>
    public static Child StartGatehouse(string dll, int port, string dataDir, IEnumerable<string>? settings = null, string name = "gatehouse serve")
    {
        string[] args =
        [
            dll, "serve",
            "--urls", $"http://127.0.0.1:{port}",
            "--data-dir", dataDir,
            "--Gatehouse:RateLimits:TokenRequestsPerSecond=1000000",
            "--Gatehouse:RateLimits:FailedAuthenticationsPerMinute=1000000",
            "--Gatehouse:Management:Urls=", // /readyz on the node's own port: nodes share the machine
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.AspNetCore=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
            .. settings ?? [],
        ];
        return Child.Start(name, Child.DotnetHost(), args, Path.GetDirectoryName(dll)!, ChildEnvironment());
    }

    public static Child StartFloor(string dll, int port)
    {
        string[] args =
        [
            dll,
            "--urls", $"http://127.0.0.1:{port}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.AspNetCore=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
        ];
        return Child.Start("floor", Child.DotnetHost(), args, Path.GetDirectoryName(dll)!, ChildEnvironment());
    }

    /// <summary>Polls until the server answers 200 on one of <paramref name="paths"/>.</summary>
    public static async Task WaitReadyAsync(Child server, HttpClient http, Uri baseUri, string[] paths, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (server.HasExited)
                throw new BenchException($"{server.Name} exited with code {server.Process.ExitCode} during startup:\n{server.Tail()}");
            foreach (var path in paths)
            {
                try
                {
                    using var r = await http.GetAsync(new Uri(baseUri, path), ct);
                    if (r.StatusCode == HttpStatusCode.OK) return;
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            }
            if (DateTime.UtcNow > deadline)
                throw new BenchException($"{server.Name} did not answer 200 on {string.Join(" or ", paths)} within {timeout.TotalSeconds:0} s:\n{server.Tail()}");
            await Task.Delay(100, ct);
        }
    }

    public static async Task<BenchClient> CreateClientAsync(string dll, string dataDir, string name, CancellationToken ct, IEnumerable<string>? settings = null)
    {
        string[] args = [dll, "clients", "create", "--name", name, "--rate-limit", "1000000", "--json", "--data-dir", dataDir, .. settings ?? []];
        var (code, stdout, tail) = await Child.RunAsync("gatehouse clients create", Child.DotnetHost(), args,
            Path.GetDirectoryName(dll)!, ChildEnvironment(), TimeSpan.FromSeconds(60), ct);
        if (code != 0)
            throw new BenchException($"`gatehouse clients create --name {name}` exited {code}:\n{tail}");
        var start = stdout.IndexOf('{');
        var end = stdout.LastIndexOf('}');
        if (start < 0 || end < start)
            throw new BenchException($"`gatehouse clients create --json` printed no JSON object:\n{tail}");
        try
        {
            using var doc = JsonDocument.Parse(stdout.AsMemory(start, end - start + 1));
            var root = doc.RootElement;
            var id = root.GetProperty("client_id").GetString() ?? throw new BenchException("client_id is null");
            var secret = root.GetProperty("client_secret").GetString() ?? throw new BenchException("client_secret is null");
            var scope = root.TryGetProperty("scope", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() ?? "" : "";
            return new BenchClient(id, secret, scope.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new BenchException($"could not parse `clients create --json` output ({ex.Message}):\n{stdout}");
        }
    }
}

internal sealed class BenchException(string message) : Exception(message);
