using System.Net;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration;

/// A running server whose data directory the CLI changes underneath it.
public sealed class ClientsCliFixture : GatehouseFixture
{
    public CreatedClient Existing { get; private set; } = null!;

    protected override async Task SeedAsync() => Existing = await CreateClientAsync("cli-existing", scope: "decisions:read");
}

/// The admin CLI (contract notes "CLI"), and the server picking up what it changes (SPEC 5, Sync:PollInterval).
public sealed class ClientsCliTests(ClientsCliFixture fixture) : IClassFixture<ClientsCliFixture>
{
    static readonly string[] DefaultScopes = TokenEndpointFixture.DefaultClientScope.Split(' ');
    static readonly TimeSpan PickupBound = TimeSpan.FromSeconds(1);

    Task<CliResult> Cli(params string[] args) => GatehouseCli.RunAsync(fixture.DataDirectory, args);

    Task<OAuthResponse> TryTokenAsync(CreatedClient client) => fixture.OAuth.RequestTokenBasicAsync(client);

    [Fact]
    public async Task Cli_CreateJson_PrintsExactlyOneClientObjectWithTheSecret()
    {
        var result = await Cli("clients", "create", "--name", "cli-create-defaults", "--json");

        var json = CliAssert.SingleJson(result, JsonValueKind.Object);
        Assert.StartsWith("cc_client_", OAuthAssert.StringProperty(json, "client_id"));
        Assert.StartsWith("cc_secret_sandbox_", OAuthAssert.StringProperty(json, "client_secret"));
        OAuthAssert.StringProperty(json, "secret_id");
        Assert.Equal("cli-create-defaults", OAuthAssert.StringProperty(json, "name"));
        OAuthAssert.SameScopes(TokenEndpointFixture.DefaultClientScope, OAuthAssert.StringProperty(json, "scope"));
        Assert.Equal(["partner/v1"], OAuthAssert.StringArray(json, "audiences"));
        Assert.Equal(JsonValueKind.Null, OAuthAssert.Property(json, "rate_limit").ValueKind);
        Assert.True(DateTimeOffset.TryParse(OAuthAssert.StringProperty(json, "created_at"), out _), json.ToString());
        // SPEC 5: 256 bits of randomness, so well over 43 base62 characters after the prefix.
        Assert.True(OAuthAssert.StringProperty(json, "client_secret").Length >= "cc_secret_sandbox_".Length + 43, json.ToString());
    }

    [Fact]
    public async Task Cli_CreateWithOptions_RecordsScopeAudiencesAndRateLimit()
    {
        var created = GatehouseCli.ParseCreatedClient(await Cli("clients", "create", "--name", "cli-create-options",
            "--scope", "decisions:read payments:read", "--audience", "internal/v1", "--audience", "partner/v1",
            "--rate-limit", "7", "--json"));

        OAuthAssert.SameScopes("decisions:read payments:read", created.Scope);
        Assert.Equal(["internal/v1", "partner/v1"], created.Audiences.Order());
        Assert.Equal(7, created.RateLimit);

        var shown = CliAssert.SingleJson(await Cli("clients", "show", created.ClientId, "--json"), JsonValueKind.Object);
        OAuthAssert.SameScopes("decisions:read payments:read", OAuthAssert.StringProperty(shown, "scope"));
        Assert.Equal(["internal/v1", "partner/v1"], OAuthAssert.StringArray(shown, "audiences").Order());
        Assert.Equal(7, OAuthAssert.NumberProperty(shown, "rate_limit"));
    }

    [Fact]
    public async Task Cli_ListJson_ShowsEveryClientAndNoSecret()
    {
        var created = await GatehouseCli.CreateClientAsync(fixture.DataDirectory, "cli-list");

        var result = await Cli("clients", "list", "--json");

        var list = CliAssert.SingleJson(result, JsonValueKind.Array);
        var ids = list.EnumerateArray().Select(c => OAuthAssert.StringProperty(c, "client_id")).ToList();
        Assert.Contains(created.ClientId, ids);
        Assert.Contains(fixture.Existing.ClientId, ids);
        var entry = list.EnumerateArray().Single(c => c.GetProperty("client_id").GetString() == created.ClientId);
        Assert.Equal("cli-list", OAuthAssert.StringProperty(entry, "name"));
        Assert.DoesNotContain(created.ClientSecret, result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Existing.ClientSecret, result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\"client_secret\"", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_ShowJson_ListsSecretMetadataButNeverTheValue()
    {
        var created = await GatehouseCli.CreateClientAsync(fixture.DataDirectory, "cli-show");

        var result = await Cli("clients", "show", created.ClientId, "--json");

        var json = CliAssert.SingleJson(result, JsonValueKind.Object);
        Assert.Equal(created.ClientId, OAuthAssert.StringProperty(json, "client_id"));
        Assert.Equal("cli-show", OAuthAssert.StringProperty(json, "name"));
        var secret = Assert.Single(OAuthAssert.Property(json, "secrets").EnumerateArray());
        Assert.Equal(created.SecretId, OAuthAssert.StringProperty(secret, "secret_id"));
        OAuthAssert.StringProperty(secret, "created_at");
        OAuthAssert.Property(secret, "last_used_at");
        Assert.Equal(JsonValueKind.Null, OAuthAssert.Property(secret, "revoked_at").ValueKind);
        Assert.DoesNotContain(created.ClientSecret, result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(created.ClientSecret, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_Delete_RemovesTheClient()
    {
        var created = await GatehouseCli.CreateClientAsync(fixture.DataDirectory, "cli-delete");

        var deleted = await Cli("clients", "delete", created.ClientId);

        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        var list = CliAssert.SingleJson(await Cli("clients", "list", "--json"), JsonValueKind.Array);
        Assert.DoesNotContain(list.EnumerateArray(), c => c.GetProperty("client_id").GetString() == created.ClientId);
        CliAssert.OneLineError(await Cli("clients", "show", created.ClientId, "--json"));
    }

    public static TheoryData<string, string[]> BadArguments => new()
    {
        { "unknown option", ["clients", "create", "--name", "bad-unknown-option", "--colour", "blue"] },
        { "missing --name", ["clients", "create", "--scope", "decisions:read"] },
        { "unknown scope", ["clients", "create", "--name", "bad-scope", "--scope", "decisions:read no-such:scope"] },
        { "negative rate limit", ["clients", "create", "--name", "bad-rate", "--rate-limit", "-1"] },
        { "non-numeric rate limit", ["clients", "create", "--name", "bad-rate-text", "--rate-limit", "fast"] },
        { "unknown audience", ["clients", "create", "--name", "bad-audience", "--audience", "nowhere/v9"] },
        { "delete unknown id", ["clients", "delete", "cc_client_DoesNotExist0000000000"] },
        { "show unknown id", ["clients", "show", "cc_client_DoesNotExist0000000000"] },
        { "unknown command", ["clients", "frobnicate"] },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public async Task Cli_BadArguments_FailWithOneLineErrorAndChangeNothing(string scenario, string[] args)
    {
        var before = await Cli("clients", "list", "--json");
        Assert.True(before.ExitCode == 0, before.ToString());

        var result = await Cli(args);

        CliAssert.OneLineError(result);
        var after = await Cli("clients", "list", "--json");
        Assert.True(before.Stdout == after.Stdout, $"{scenario}: clients list changed.\nbefore:\n{before.Stdout}\nafter:\n{after.Stdout}");
    }

    [Fact]
    public async Task Cli_ClientCreatedWhileServerRuns_IsUsableWithinOneSecond()
    {
        var created = await GatehouseCli.CreateClientAsync(fixture.DataDirectory, "cli-live", rateLimit: GatehouseFixture.UnthrottledRateLimit);

        var response = await Eventually.Within(PickupBound, () => TryTokenAsync(created),
            r => r.Status == HttpStatusCode.OK, "a client created by the CLI can mint tokens");

        Assert.Equal(created.ClientId, OAuthAssert.StringProperty(TestJwt.Parse(response.Text("access_token")!).Payload, "client_id"));
    }

    [Fact]
    public async Task Cli_ClientDeletedWhileServerRuns_Gets401InvalidClientWithinOneSecond()
    {
        var created = await GatehouseCli.CreateClientAsync(fixture.DataDirectory, "cli-live-delete", rateLimit: GatehouseFixture.UnthrottledRateLimit);
        await Eventually.Within(TimeSpan.FromSeconds(5), () => TryTokenAsync(created), r => r.Status == HttpStatusCode.OK,
            "the new client is picked up before it is deleted");

        var deleted = await Cli("clients", "delete", created.ClientId);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());

        var response = await Eventually.Within(PickupBound, () => TryTokenAsync(created),
            r => r.Status == HttpStatusCode.Unauthorized, "a deleted client is refused");
        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", response);
    }

    [Fact]
    public async Task Cli_ClientCreatedBeforeServerStart_IsUsable()
    {
        var response = await fixture.OAuth.RequestTokenBasicAsync(fixture.Existing);

        OAuthAssert.Status(HttpStatusCode.OK, response);
        OAuthAssert.SameScopes("decisions:read", response.Text("scope"));
    }
}
