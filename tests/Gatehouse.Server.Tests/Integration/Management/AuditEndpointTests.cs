using System.Globalization;
using System.Net;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Management;

public sealed class AuditEndpointFixture : ManagementFixture;

/// Issue 3: every management action (client created, changed, deleted; secret added, revoked; tokens revoked;
/// key rotated) in an append-only audit log with actor, action, target, time and source address;
/// GET /oauth/audit pages through it (operator only; refusals in ManagementAccessTests); `gatehouse audit`
/// prints it; no secret value ever appears there.
public sealed class AuditEndpointTests(AuditEndpointFixture fixture) : IClassFixture<AuditEndpointFixture>
{
    static readonly string[] EntryProperties = ["id", "at", "actor", "action", "target", "source_address", "details"];

    ManagementTestClient Api => fixture.Api;

    static long Id(JsonElement entry) => OAuthAssert.NumberProperty(entry, "id");

    async Task<long> LastIdAsync() => (await Api.AuditAsync()).Select(Id).DefaultIfEmpty(0).Max();

    async Task<CliResult> CliAsync(params string[] args)
    {
        var result = await GatehouseCli.RunAsync(fixture.DataDirectory, args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    static JsonElement[] CliEntries(CliResult result)
    {
        using var document = JsonDocument.Parse(result.Stdout);
        Assert.Equal(JsonValueKind.Array, document.RootElement.ValueKind);
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    static void AssertEntry(JsonElement entry, string action, string target, string actorContains, string? sourceAddress,
        DateTimeOffset notBefore)
    {
        ManagementAssert.ExactProperties(entry, EntryProperties);
        Assert.True(action == entry.GetProperty("action").GetString(), $"Expected action {action} in:\n{entry}");
        Assert.True(target == entry.GetProperty("target").GetString(), $"Expected target {target} in:\n{entry}");
        Assert.Contains(actorContains, OAuthAssert.StringProperty(entry, "actor"));
        Assert.Equal(sourceAddress, entry.GetProperty("source_address").GetString());
        var at = ManagementAssert.Time(entry, "at");
        Assert.True(at >= notBefore - TimeSpan.FromSeconds(1) && at <= DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1),
            $"at {at:O} is not between {notBefore:O} and now in:\n{entry}");
    }

    [Fact]
    public async Task Audit_EveryManagementAction_IsRecordedWithActorActionTargetTimeAndSourceAddress()
    {
        var after = await LastIdAsync();
        var started = DateTimeOffset.UtcNow;
        var operatorActor = fixture.Operator.ClientId;

        var client = await Api.RegisterAsync("audited", scope: "decisions:read");
        ManagementAssert.Json(HttpStatusCode.OK, await Api.PatchAsync(ManagementPaths.Client(client.ClientId), new { name = "audited-renamed" }));
        var (secondId, secondValue) = await Api.AddSecretAsync(client.ClientId);
        OAuthAssert.Status(HttpStatusCode.NoContent,
            await Api.DeleteAsync(ManagementPaths.Secret(client.ClientId, client.SecretId), OAuthTestClient.Basic(client.ClientId, secondValue)));
        ManagementAssert.Json(HttpStatusCode.OK, await Api.DeleteAsync(ManagementPaths.Tokens(client.ClientId)));
        var rotated = await CliAsync("keys", "rotate", "--json");
        var kid = OAuthAssert.StringProperty(JsonDocument.Parse(rotated.Stdout).RootElement, "kid");
        OAuthAssert.Status(HttpStatusCode.NoContent, await Api.DeleteAsync(ManagementPaths.Client(client.ClientId)));

        var entries = await Api.AuditAsync(after);

        Assert.True(entries.Count == 7, $"Expected 7 new audit entries, got {entries.Count}:\n{string.Join('\n', entries)}");
        AssertEntry(entries[0], "client.created", client.ClientId, operatorActor, "127.0.0.1", started);
        AssertEntry(entries[1], "client.updated", client.ClientId, operatorActor, "127.0.0.1", started);
        AssertEntry(entries[2], "secret.added", client.ClientId, operatorActor, "127.0.0.1", started);
        Assert.Equal(secondId, entries[2].GetProperty("details").GetProperty("secret_id").GetString());
        AssertEntry(entries[3], "secret.revoked", client.ClientId, client.ClientId, "127.0.0.1", started); // self-service: the client is the actor
        Assert.Equal(client.SecretId, entries[3].GetProperty("details").GetProperty("secret_id").GetString());
        AssertEntry(entries[4], "tokens.revoked", client.ClientId, operatorActor, "127.0.0.1", started);
        AssertEntry(entries[5], "key.rotated", kid, "", null, started); // the CLI has no source address
        Assert.DoesNotContain(operatorActor, entries[5].GetProperty("actor").GetString());
        AssertEntry(entries[6], "client.deleted", client.ClientId, operatorActor, "127.0.0.1", started);
        var ids = entries.Select(Id).ToArray();
        Assert.True(ids.Zip(ids.Skip(1)).All(p => p.First < p.Second), $"ids do not increase: {string.Join(", ", ids)}");
        Assert.True(ids[0] > after);
    }

    [Fact]
    public async Task Audit_AnyEntry_NeverContainsASecretValue()
    {
        var created = await Api.RegisterAsync("audit-secrets");
        var (_, operatorAdded) = await Api.AddSecretAsync(created.ClientId);
        var cliClient = await GatehouseCli.CreateClientAsync(fixture.DataDirectory, "audit-cli-secrets");
        var cliAdded = CliEntriesOrObject(await CliAsync("secrets", "add", cliClient.ClientId, "--json"));
        var values = new[] { created.ClientSecret, operatorAdded, cliClient.ClientSecret, OAuthAssert.StringProperty(cliAdded, "client_secret") };

        var api = await Api.GetAsync($"{ManagementPaths.Audit}?limit=1000");
        var cli = await CliAsync("audit", "--json");

        ManagementAssert.Json(HttpStatusCode.OK, api);
        foreach (var text in new[] { api.Body, cli.Stdout, cli.Stderr })
        {
            Assert.DoesNotContain("cc_secret_", text);
            foreach (var value in values) Assert.DoesNotContain(value, text);
            foreach (var value in values) Assert.DoesNotContain(value[^20..], text); // nor a tell-tale part of one
        }

        static JsonElement CliEntriesOrObject(CliResult result) => JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    [Fact]
    public async Task Audit_PagingWithAfterAndLimit_WalksTheWholeLogOnceInOrder()
    {
        for (var i = 0; i < 3; i++) await Api.RegisterAsync($"audit-paging-{i}");
        var whole = await Api.GetAsync($"{ManagementPaths.Audit}?limit=1000");
        ManagementAssert.Json(HttpStatusCode.OK, whole);
        ManagementAssert.ExactProperties(whole.Json, "entries", "next");
        Assert.Equal(JsonValueKind.Null, whole.Json.GetProperty("next").ValueKind);
        var all = whole.Json.GetProperty("entries").EnumerateArray().ToArray();
        Assert.True(all.Length >= 5, $"Only {all.Length} audit entries.");

        var walked = new List<JsonElement>();
        var cursor = "0";
        for (var page = 0; page <= all.Length; page++)
        {
            var response = await Api.GetAsync($"{ManagementPaths.Audit}?after={cursor}&limit=2");
            ManagementAssert.Json(HttpStatusCode.OK, response);
            var entries = response.Json.GetProperty("entries").EnumerateArray().ToArray();
            Assert.True(entries.Length <= 2, $"limit=2 returned {entries.Length} entries.");
            walked.AddRange(entries);
            var next = response.Json.GetProperty("next");
            if (next.ValueKind == JsonValueKind.Null) break;
            // next is the id to pass as after: that of the page's last entry.
            var nextText = next.ValueKind == JsonValueKind.String ? next.GetString()! : next.GetRawText();
            Assert.Equal(Id(entries[^1]).ToString(CultureInfo.InvariantCulture), nextText);
            cursor = nextText;
        }

        Assert.Equal(all.Select(e => e.GetRawText()), walked.Select(e => e.GetRawText()));
        var ids = walked.Select(Id).ToArray();
        Assert.True(ids.Zip(ids.Skip(1)).All(p => p.First < p.Second), $"ids are not strictly increasing: {string.Join(", ", ids)}");

        // after=ID starts right after that entry; without parameters the log starts at the beginning.
        var middle = Id(all[all.Length / 2]);
        var fromMiddle = await Api.GetAsync($"{ManagementPaths.Audit}?after={middle}&limit=1000");
        Assert.Equal(all.Where(e => Id(e) > middle).Select(e => e.GetRawText()),
            fromMiddle.Json.GetProperty("entries").EnumerateArray().Select(e => e.GetRawText()));
        var first = await Api.GetAsync(ManagementPaths.Audit);
        ManagementAssert.Json(HttpStatusCode.OK, first);
        Assert.Equal(all.First().GetRawText(), first.Json.GetProperty("entries").EnumerateArray().First().GetRawText());
    }

    [Theory]
    [InlineData("after=-1")]
    [InlineData("after=abc")]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("limit=ten")]
    public async Task Audit_BadPagingParameter_Returns400InvalidRequest(string query)
    {
        var response = await Api.GetAsync($"{ManagementPaths.Audit}?{query}");

        ManagementAssert.Problem(HttpStatusCode.BadRequest, "invalid_request", response);
    }

    /// Append-only: nothing in the API writes to the log except the actions it records.
    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task Audit_WriteMethods_AreRefusedAndChangeNothing(string method)
    {
        var before = await Api.AuditAsync();

        var response = await Api.SendJsonAsync(new HttpMethod(method), ManagementPaths.Audit,
            method == "DELETE" ? null : """{"action":"client.deleted","target":"forged"}""");
        var single = await Api.SendJsonAsync(new HttpMethod(method), $"{ManagementPaths.Audit}/{Id(before[0])}",
            method == "DELETE" ? null : """{"action":"client.deleted","target":"forged"}""");

        Assert.True(response.Status is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotFound, response.ToString());
        Assert.True(single.Status is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotFound, single.ToString());
        Assert.Equal(before.Select(e => e.GetRawText()), (await Api.AuditAsync()).Select(e => e.GetRawText()));
    }

    [Fact]
    public async Task AuditCli_Json_PrintsTheSameEntriesAsTheApi()
    {
        await Api.RegisterAsync("audit-cli-same");
        var api = await Api.AuditAsync();

        var cli = CliEntries(await CliAsync("audit", "--json"));

        Assert.Equal(api.Count, cli.Length);
        foreach (var (fromApi, fromCli) in api.Zip(cli)) AssertSameEntry(fromApi, fromCli);

        // --after and --limit page the same way.
        var after = Id(api[api.Count / 2]);
        var page = await Api.GetAsync($"{ManagementPaths.Audit}?after={after}&limit=2");
        var cliPage = CliEntries(await CliAsync("audit", "--after", after.ToString(CultureInfo.InvariantCulture), "--limit", "2", "--json"));
        var apiPage = page.Json.GetProperty("entries").EnumerateArray().ToArray();
        Assert.Equal(apiPage.Length, cliPage.Length);
        foreach (var (fromApi, fromCli) in apiPage.Zip(cliPage)) AssertSameEntry(fromApi, fromCli);
    }

    static void AssertSameEntry(JsonElement fromApi, JsonElement fromCli)
    {
        ManagementAssert.ExactProperties(fromCli, EntryProperties);
        Assert.Equal(Id(fromApi), Id(fromCli));
        foreach (var name in new[] { "actor", "action", "target", "source_address", "details" })
            Assert.True(JsonElement.DeepEquals(fromApi.GetProperty(name), fromCli.GetProperty(name)),
                $"\"{name}\" differs:\nAPI: {fromApi}\nCLI: {fromCli}");
        Assert.Equal(ManagementAssert.Time(fromApi, "at"), ManagementAssert.Time(fromCli, "at"));
    }

    [Fact]
    public async Task AuditCli_PlainText_PrintsOneLinePerEntry()
    {
        var count = (await Api.AuditAsync()).Count;

        var result = await CliAsync("audit");

        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= count, result.ToString());
        Assert.DoesNotContain("cc_secret_", result.Stdout);
    }
}
