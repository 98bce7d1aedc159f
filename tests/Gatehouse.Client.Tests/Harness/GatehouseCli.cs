using System.Text.Json;

namespace Gatehouse.Testing;

/// <summary>A client as <c>clients create --json</c> prints it.</summary>
public sealed record CreatedClient(string ClientId, string ClientSecret);

/// <summary>The server's admin CLI (same executable), run against a data directory.</summary>
public static class GatehouseCli
{
    public static async Task<string> RunAsync(params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(GatehouseBinary.StartInfo(arguments))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"gatehouse {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    public static async Task<CreatedClient> CreateClientAsync(string dataDirectory, string name, string? scope = null,
        string? audience = null, int? rateLimit = 100_000, bool resourceServer = false)
    {
        var arguments = new List<string> { "clients", "create", "--name", name, "--json", "--data-dir", dataDirectory };
        if (resourceServer) arguments.Add("--resource-server");
        if (scope is not null) arguments.AddRange(["--scope", scope]);
        if (audience is not null) arguments.AddRange(["--audience", audience]);
        if (rateLimit is not null) arguments.AddRange(["--rate-limit", rateLimit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        using var json = JsonDocument.Parse(await RunAsync([.. arguments]));
        return new CreatedClient(json.RootElement.GetProperty("client_id").GetString()!, json.RootElement.GetProperty("client_secret").GetString()!);
    }

    public static Task RotateKeyAsync(string dataDirectory) =>
        RunAsync("keys", "rotate", "--data-dir", dataDirectory, "--Gatehouse:Keys:PrePublish=00:00:00");

    public static Task RevokeAllTokensAsync(string dataDirectory, string clientId) =>
        RunAsync("tokens", "revoke-all", clientId, "--data-dir", dataDirectory);
}
