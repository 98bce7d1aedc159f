using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Gatehouse.Server.Tests.Harness;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr, IReadOnlyList<string> Arguments)
{
    public override string ToString() =>
        $"gatehouse {string.Join(' ', Arguments)}\nexit code: {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// A client as printed once by <c>clients create --json</c>: the only time its secret is visible.
public sealed record CreatedClient(
    string ClientId,
    string ClientSecret,
    string SecretId,
    string Name,
    string Scope,
    IReadOnlyList<string> Audiences,
    int? RateLimit,
    JsonElement Json);

/// <summary>The admin CLI: <c>dotnet gatehouse.dll ARGS --data-dir DIR</c>, run to completion.</summary>
public static class GatehouseCli
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static Task<CliResult> RunAsync(string dataDirectory, params string[] args) => RunWithInputAsync(dataDirectory, null, args);

    /// <summary>Runs the CLI with <paramref name="stdin"/> written, exactly as given, to its standard input, which is then closed
    /// (null: closed at once).</summary>
    public static async Task<CliResult> RunWithInputAsync(string dataDirectory, string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        start.ArgumentList.Add(GatehouseBinary.DllPath);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.ArgumentList.Add("--data-dir");
        start.ArgumentList.Add(dataDirectory);
        foreach (var arg in TestStorage.ArgumentsFor(dataDirectory, args)) start.ArgumentList.Add(arg);
        GatehouseBinary.ScrubEnvironment(start.Environment);

        using var child = new Process { StartInfo = start };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        child.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        child.Start();
        if (stdin is not null)
        {
            // Raw UTF-8 bytes, so the test decides every newline (no Environment.NewLine added, no BOM).
            var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(stdin);
            await child.StandardInput.BaseStream.WriteAsync(bytes);
            await child.StandardInput.BaseStream.FlushAsync();
        }
        child.StandardInput.Close(); // a command that prompts must not hang the suite
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await child.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            throw new TimeoutException($"gatehouse {string.Join(' ', args)} did not finish within {Timeout.TotalSeconds} s.");
        }
        child.WaitForExit(); // drains the redirected streams

        var arguments = args.Concat(["--data-dir", dataDirectory]).ToArray();
        lock (stdout) lock (stderr)
            return new CliResult(child.ExitCode, stdout.ToString(), stderr.ToString(), arguments);
    }

    /// Runs <c>clients create ... --json</c> and fails the test unless it succeeds.
    public static async Task<CreatedClient> CreateClientAsync(
        string dataDirectory,
        string name,
        string? scope = null,
        IEnumerable<string>? audiences = null,
        int? rateLimit = null,
        bool resourceServer = false)
    {
        var args = new List<string> { "clients", "create", "--name", name };
        if (resourceServer) args.Add("--resource-server");
        if (scope is not null) args.AddRange(["--scope", scope]);
        foreach (var audience in audiences ?? []) args.AddRange(["--audience", audience]);
        if (rateLimit is not null) args.AddRange(["--rate-limit", rateLimit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        args.Add("--json");

        var result = await RunAsync(dataDirectory, [.. args]);
        if (result.ExitCode != 0) throw new InvalidOperationException($"clients create failed.\n{result}");
        return ParseCreatedClient(result);
    }

    /// <summary>Runs <c>users create --email E --name N [extra...] --password-stdin --json</c> with the password (and a newline)
    /// on stdin; fails the test unless it succeeds, and returns the printed user.</summary>
    public static async Task<JsonElement> CreateUserAsync(string dataDirectory, string email, string password, string name = "Test Person",
        params string[] extra)
    {
        var result = await RunWithInputAsync(dataDirectory, password + "\n",
            ["users", "create", "--email", email, "--name", name, .. extra, "--password-stdin", "--json"]);
        if (result.ExitCode != 0) throw new InvalidOperationException($"users create failed.\n{result}");
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.Clone();
    }

    public static CreatedClient ParseCreatedClient(CliResult result)
    {
        JsonElement json;
        try
        {
            using var document = JsonDocument.Parse(result.Stdout);
            json = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"clients create --json did not print one JSON object: {e.Message}\n{result}", e);
        }
        if (json.ValueKind != JsonValueKind.Object)
            throw new InvalidOperationException($"clients create --json printed a {json.ValueKind}, not an object.\n{result}");

        string Text(string name) =>
            json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw new InvalidOperationException($"clients create --json has no string \"{name}\".\n{result}");

        var audiences = json.TryGetProperty("audiences", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(a => a.GetString()!).ToArray()
            : throw new InvalidOperationException($"clients create --json has no \"audiences\" array.\n{result}");
        int? rateLimit = json.TryGetProperty("rate_limit", out var rate) && rate.ValueKind == JsonValueKind.Number
            ? rate.GetInt32()
            : null;

        return new CreatedClient(Text("client_id"), Text("client_secret"), Text("secret_id"), Text("name"),
            Text("scope"), audiences, rateLimit, json);
    }
}
