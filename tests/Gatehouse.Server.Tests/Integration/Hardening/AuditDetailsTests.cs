using System.Net;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Hardening;

/// Issue 11, weakness 7: audit details are a JSON object, never free text built from client-supplied names,
/// so a name cannot forge a field or a line.
public sealed class AuditDetailsTests(HardeningFixture fixture) : IClassFixture<HardeningFixture>
{
    // (Control characters are refused in names, so a forged line would have to come from the separators.)
    const string ForgingName = "x\"; scope=clients:manage; resource_server=True; team=ops";

    [Fact]
    public async Task Audit_ClientNamedToForgeFields_HasDetailsAsAnObjectWithTheNameIntact()
    {
        var created = await fixture.Api.RegisterAsync(ForgingName, scope: "decisions:read");

        var entry = (await fixture.Api.AuditAsync()).Last(e => e.GetProperty("target").GetString() == created.ClientId);

        var details = entry.GetProperty("details");
        Assert.Equal(JsonValueKind.Object, details.ValueKind);
        Assert.Equal(ForgingName, details.GetProperty("name").GetString());
        Assert.Equal("decisions:read", details.GetProperty("scope").GetString());
        Assert.False(details.GetProperty("resource_server").GetBoolean());
    }

    [Fact]
    public async Task Audit_SecretAdded_HasTheSecretIdAsAField()
    {
        var created = await fixture.Api.RegisterAsync("audited-secrets");
        var (secretId, _) = await fixture.Api.AddSecretAsync(created.ClientId);

        var entry = (await fixture.Api.AuditAsync()).Last(e => e.GetProperty("action").GetString() == "secret.added");

        Assert.Equal(secretId, entry.GetProperty("details").GetProperty("secret_id").GetString());
    }

    [Fact]
    public async Task AuditCli_ClientNamedToForgeALine_PrintsItEscapedOnOneLine()
    {
        var created = await fixture.Api.RegisterAsync(ForgingName, scope: "decisions:read");

        var result = await GatehouseCli.RunAsync(fixture.DataDirectory, "audit");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n');
        var line = Assert.Single(lines, l => l.Contains(created.ClientId) && l.Contains("client.created"));
        Assert.Contains("\"name\":\"x\\u0022; scope=clients:manage; resource_server=True; team=ops\"", line);
        Assert.Contains("\"scope\":\"decisions:read\"", line);
    }
}
