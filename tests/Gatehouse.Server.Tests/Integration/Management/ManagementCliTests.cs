using System.Net;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Management;

public sealed class ManagementCliFixture : ManagementFixture
{
    /// A client that already has its two live secrets.
    public CreatedClient Full { get; private set; } = null!;
    public string FullSecondSecretId { get; private set; } = null!;
    public CreatedClient Other { get; private set; } = null!;

    protected override async Task SeedAsync()
    {
        await base.SeedAsync();
        Full = await CreateClientAsync("cli-full", scope: "decisions:read");
        var added = await GatehouseCli.RunAsync(DataDirectory, "secrets", "add", Full.ClientId, "--json");
        if (added.ExitCode != 0) throw new InvalidOperationException($"secrets add failed.\n{added}");
        FullSecondSecretId = JsonDocument.Parse(added.Stdout).RootElement.GetProperty("secret_id").GetString()!;
        Other = await CreateClientAsync("cli-other", scope: "decisions:read");
    }
}

/// Issue 3 "The CLI gains the same operations (secrets add|list|revoke, tokens revoke-all)" and `audit`
/// (contract notes "CLI"); the running server picks the changes up within its poll interval.
public sealed class ManagementCliTests(ManagementCliFixture fixture) : IClassFixture<ManagementCliFixture>
{
    static readonly TimeSpan PickupBound = TimeSpan.FromSeconds(1);

    ManagementTestClient Api => fixture.Api;
    OAuthTestClient OAuth => fixture.OAuth;

    Task<CliResult> Cli(params string[] args) => GatehouseCli.RunAsync(fixture.DataDirectory, args);

    async Task<string> SecretsSnapshotAsync(string clientId) =>
        string.Join('\n', (await Api.ListSecretsAsync(clientId)).Select(s =>
            $"{s.GetProperty("secret_id")} {s.GetProperty("created_at")} {s.GetProperty("revoked_at")}"));

    [Fact]
    public async Task SecretsAddCli_Json_PrintsTheValueOnceAndTheServerAcceptsIt()
    {
        var client = await Api.RegisterAsync("cli-add", scope: "decisions:read");

        var result = await Cli("secrets", "add", client.ClientId, "--json");

        var json = CliAssert.SingleJson(result, JsonValueKind.Object);
        ManagementAssert.ExactProperties(json, "secret_id", "client_secret", "created_at");
        var added = client with
        {
            SecretId = OAuthAssert.StringProperty(json, "secret_id"),
            ClientSecret = OAuthAssert.StringProperty(json, "client_secret"),
        };
        Assert.StartsWith("cc_secret_sandbox_", added.ClientSecret);
        await Eventually.Within(PickupBound, () => OAuth.RequestTokenBasicAsync(added), r => r.Status == HttpStatusCode.OK,
            "the server accepts a secret added with the CLI");
        OAuthAssert.Status(HttpStatusCode.OK, await OAuth.RequestTokenBasicAsync(client));
        Assert.Contains(await Api.ListSecretsAsync(client.ClientId), s => s.GetProperty("secret_id").GetString() == added.SecretId);
    }

    [Fact]
    public async Task SecretsListCli_Json_ShowsIdsAndTimesButNeverAValue()
    {
        var result = await Cli("secrets", "list", fixture.Full.ClientId, "--json");

        var rows = CliAssert.SingleJson(result, JsonValueKind.Array).EnumerateArray().ToArray();
        Assert.Equal(2, rows.Length);
        foreach (var row in rows) ManagementAssert.ExactProperties(row, "secret_id", "created_at", "last_used_at", "revoked_at");
        Assert.Equal(new[] { fixture.Full.SecretId, fixture.FullSecondSecretId }.Order(),
            rows.Select(r => r.GetProperty("secret_id").GetString()).Order());
        Assert.DoesNotContain("cc_secret_", result.Stdout);
        Assert.DoesNotContain(fixture.Full.ClientSecret, result.Stdout);
    }

    [Fact]
    public async Task SecretsRevokeCli_SecretStopsAuthenticatingAtTheServerAndIsAudited()
    {
        var client = await Api.RegisterAsync("cli-revoke", scope: "decisions:read");
        var (secondId, secondValue) = await Api.AddSecretAsync(client.ClientId);
        var minted = await OAuth.GetAccessTokenAsync(client);

        var result = await Cli("secrets", "revoke", client.ClientId, client.SecretId);

        Assert.True(result.ExitCode == 0, result.ToString());
        await Eventually.Within(PickupBound, () => OAuth.RequestTokenBasicAsync(client), r => r.Status == HttpStatusCode.Unauthorized,
            "the server refuses a secret revoked with the CLI");
        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", await OAuth.RequestTokenBasicAsync(client));
        OAuthAssert.Status(HttpStatusCode.OK, await OAuth.RequestTokenBasicAsync(client with { SecretId = secondId, ClientSecret = secondValue }));
        OAuthAssert.Active(await OAuth.IntrospectAsync(minted, fixture.Partner));
        var revoked = Assert.Single(await Api.ListSecretsAsync(client.ClientId), s => s.GetProperty("secret_id").GetString() == client.SecretId);
        Assert.NotNull(ManagementAssert.Time(revoked, "revoked_at"));
        var last = (await Api.AuditAsync()).Last();
        Assert.Equal("secret.revoked", last.GetProperty("action").GetString());
        Assert.Equal(client.ClientId, last.GetProperty("target").GetString());
        Assert.Equal(JsonValueKind.Null, last.GetProperty("source_address").ValueKind);
    }

    [Fact]
    public async Task TokensRevokeAllCli_Json_EarlierTokensBecomeInactive()
    {
        var client = await Api.RegisterAsync("cli-revoke-all", scope: "decisions:read");
        var earlier = await OAuth.GetAccessTokenAsync(client);

        var result = await Cli("tokens", "revoke-all", client.ClientId, "--json");

        var json = CliAssert.SingleJson(result, JsonValueKind.Object);
        ManagementAssert.ExactProperties(json, "client_id", "revoked_before", "revoked_before_us");
        Assert.Equal(client.ClientId, json.GetProperty("client_id").GetString());
        var cutOff = OAuthAssert.NumberProperty(json, "revoked_before_us");
        Assert.True(OAuthAssert.NumberProperty(TestJwt.Parse(earlier).Payload, "iat_us") < cutOff);
        await Eventually.Within(PickupBound, () => OAuth.IntrospectAsync(earlier, fixture.Partner),
            r => r.Status == HttpStatusCode.OK && r.Body == """{"active":false}""", "a token revoked with the CLI is inactive");
        OAuthAssert.Active(await OAuth.IntrospectAsync(await OAuth.GetAccessTokenAsync(client), fixture.Partner));
        var last = (await Api.AuditAsync()).Last();
        Assert.Equal("tokens.revoked", last.GetProperty("action").GetString());
        Assert.Equal(client.ClientId, last.GetProperty("target").GetString());
    }

    /// Contract notes: "Bad arguments: one-line error on stderr, non-zero exit, nothing written."
    [Theory]
    [InlineData("secrets add, unknown client", "secrets add cc_client_doesnotexist")]
    [InlineData("secrets add --json, unknown client", "secrets add cc_client_doesnotexist --json")]
    [InlineData("secrets add, third live secret", "secrets add {full}")]
    [InlineData("secrets add --json, third live secret", "secrets add {full} --json")]
    [InlineData("secrets add, no client id", "secrets add")]
    [InlineData("secrets list, unknown client", "secrets list cc_client_doesnotexist --json")]
    [InlineData("secrets revoke, unknown secret id", "secrets revoke {full} sec_doesnotexist")]
    [InlineData("secrets revoke, another client's secret", "secrets revoke {full} {other-secret}")]
    [InlineData("secrets revoke, unknown client", "secrets revoke cc_client_doesnotexist {full-secret}")]
    [InlineData("secrets revoke, no secret id", "secrets revoke {full}")]
    [InlineData("tokens revoke-all, unknown client", "tokens revoke-all cc_client_doesnotexist")]
    [InlineData("audit, limit 0", "audit --limit 0")]
    [InlineData("audit, negative after", "audit --after -1")]
    public async Task ManagementCli_BadInput_FailsWithOneLineOnStderrAndChangesNothing(string what, string command)
    {
        _ = what;
        var args = command.Split(' ').Select(a => a
            .Replace("{full-secret}", fixture.Full.SecretId)
            .Replace("{full}", fixture.Full.ClientId)
            .Replace("{other-secret}", fixture.Other.SecretId)).ToArray();
        var auditBefore = (await Api.AuditAsync()).Count;
        var fullBefore = await SecretsSnapshotAsync(fixture.Full.ClientId);
        var otherBefore = await SecretsSnapshotAsync(fixture.Other.ClientId);
        var clientsBefore = await Api.ClientIdsAsync();

        var result = await Cli(args);

        CliAssert.OneLineError(result);
        Assert.Equal(auditBefore, (await Api.AuditAsync()).Count);
        Assert.Equal(fullBefore, await SecretsSnapshotAsync(fixture.Full.ClientId));
        Assert.Equal(otherBefore, await SecretsSnapshotAsync(fixture.Other.ClientId));
        Assert.Equal(clientsBefore.Order(), (await Api.ClientIdsAsync()).Order());
        OAuthAssert.Status(HttpStatusCode.OK, await OAuth.RequestTokenBasicAsync(fixture.Full));
        OAuthAssert.Status(HttpStatusCode.OK, await OAuth.RequestTokenBasicAsync(fixture.Other));
    }
}
