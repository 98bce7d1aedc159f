using System.Net;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Management;

/// Seed 002 "the dashboard shows last-used timestamps per secret"; issue 3: last_used_at per secret is right to
/// within a minute, recorded off the token endpoint's hot path, and kept across a graceful restart.
public sealed class SecretLastUsedTests
{
    static readonly TimeSpan WithinAMinute = TimeSpan.FromMinutes(1);

    static JsonElement Secret(JsonElement[] secrets, string secretId) =>
        Assert.Single(secrets, s => s.GetProperty("secret_id").GetString() == secretId);

    [Fact]
    public async Task LastUsedAt_AfterATokenRequest_IsWithinAMinuteAndSurvivesAGracefulRestart()
    {
        using var dataDirectory = new ScratchDirectory();
        var operatorClient = await ManagementTestClient.CreateOperatorClientAsync(dataDirectory.Path);
        var client = await GatehouseCli.CreateClientAsync(dataDirectory.Path, "last-used", scope: "decisions:read",
            rateLimit: GatehouseFixture.UnthrottledRateLimit);
        await using var server = await GatehouseProcess.StartAsync(dataDirectory.Path);
        var api = await ManagementTestClient.CreateAsync(server, operatorClient);
        var (unusedId, _) = await api.AddSecretAsync(client.ClientId);
        var fresh = await api.ListSecretsAsync(client.ClientId);
        Assert.Null(ManagementAssert.Time(Secret(fresh, client.SecretId), "last_used_at"));

        var usedAt = DateTimeOffset.UtcNow;
        OAuthAssert.Status(HttpStatusCode.OK, await server.OAuth.RequestTokenBasicAsync(client));

        var secrets = await api.ListSecretsAsync(client.ClientId);
        var lastUsed = ManagementAssert.Time(Secret(secrets, client.SecretId), "last_used_at");
        ManagementAssert.Near(usedAt, lastUsed, WithinAMinute, "last_used_at of the secret just used");
        Assert.Null(ManagementAssert.Time(Secret(secrets, unusedId), "last_used_at"));
        // The client view shows the same per-secret times.
        var view = await api.GetAsync(ManagementPaths.Client(client.ClientId));
        var viewSecrets = OAuthAssert.Property(view.Json, "secrets").EnumerateArray().ToArray();
        Assert.Equal(lastUsed, ManagementAssert.Time(Secret(viewSecrets, client.SecretId), "last_used_at"));
        Assert.Null(ManagementAssert.Time(Secret(viewSecrets, unusedId), "last_used_at"));

        await server.RestartAsync();

        var afterRestart = await api.ListSecretsAsync(client.ClientId);
        ManagementAssert.Near(lastUsed!.Value, ManagementAssert.Time(Secret(afterRestart, client.SecretId), "last_used_at"),
            TimeSpan.FromMilliseconds(1), "last_used_at after a graceful restart");
        Assert.Null(ManagementAssert.Time(Secret(afterRestart, unusedId), "last_used_at"));
        // Written to the store, not just remembered by the process: the CLI reads it from the data directory.
        var listed = await GatehouseCli.RunAsync(dataDirectory.Path, "secrets", "list", client.ClientId, "--json");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var rows = JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray().ToArray();
        ManagementAssert.Near(lastUsed.Value, ManagementAssert.Time(Secret(rows, client.SecretId), "last_used_at"),
            TimeSpan.FromMilliseconds(1), "last_used_at in `secrets list --json`");
    }
}
