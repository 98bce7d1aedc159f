// Sign-in grants benchmark (issue 8): grants per second, p50/p99, and for refresh the database writes per grant.
//
//   dotnet run -c Release --project bench/Gatehouse.Bench.SignIn -- [--seconds 15] [--connections 16] [--postgres CONNECTION]
//
// Each one-time value (a code, a refresh token) is pre-made in bulk through the server's own storage code and
// used exactly once, as real clients do. PostgreSQL is used when --postgres or GATEHOUSE_TEST_POSTGRES names one.
using Gatehouse.Bench.SignIn;

var seconds = Arg("--seconds", 15);
var connections = Arg("--connections", 16);
var postgres = ArgText("--postgres") ?? Environment.GetEnvironmentVariable("GATEHOUSE_TEST_POSTGRES");
var repo = FindRepo();
var dll = Path.Combine(repo, "src", "Gatehouse.Server", "bin", "Release", "net10.0", "gatehouse.dll");
if (!File.Exists(dll)) { Console.Error.WriteLine($"no {dll}: run `dotnet build Gatehouse.slnx -c Release` first"); return 1; }

Console.WriteLine($"Sign-in grants benchmark: {connections} keep-alive connections, closed loop, {seconds} s measured per case, " +
                  $"{Environment.ProcessorCount} cores shared by the load generator, the server and the database.");
var results = new List<GrantResult>();
foreach (var store in postgres is null ? new[] { "sqlite" } : new[] { "sqlite", "postgres" })
{
    await using var target = await BenchTarget.StartAsync(dll, store, postgres, connections, seconds);
    results.Add(await target.RunAsync("authorization_code"));
    results.Add(await target.RunAsync("refresh_token"));
}

var lines = new List<string>
{
    $"Sign-in grants ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {connections} connections, {seconds} s each):",
    "",
    "| grant | store | grants/s | p50 ms | p99 ms | errors | DB rows written per grant |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
};
lines.AddRange(results.Select(r => r.ToRow()));
foreach (var line in lines) Console.WriteLine(line);
var output = Path.Combine(repo, "bench", "results", "signin.md");
Directory.CreateDirectory(Path.GetDirectoryName(output)!);
await File.WriteAllLinesAsync(output, lines);
Console.WriteLine($"written to {Path.GetRelativePath(repo, output)}");
return results.Any(r => r.Errors > 0) ? 1 : 0;

int Arg(string name, int fallback) => ArgText(name) is { } v ? int.Parse(v) : fallback;
string? ArgText(string name) { var i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : null; }
static string FindRepo()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Gatehouse.slnx"))) return dir.FullName;
    throw new InvalidOperationException("run from inside the repository");
}
