using System.Net;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Hardening;

/// Issue 11, weakness 8: every response says `X-Content-Type-Options: nosniff`, and input echoed in an error
/// description is short and JSON-escaped.
public sealed class ResponseHeaderTests(HardeningFixture fixture) : IClassFixture<HardeningFixture>
{
    [Fact]
    public async Task AnyEndpoint_AnyAnswer_SendsNosniff()
    {
        var missing = new List<string>();
        var paths = fixture.Endpoints().Select(e => (e.Method, e.Path))
            .Concat([(HttpMethod.Get, "/no/such/path"), (HttpMethod.Put, OAuthPaths.Token), (HttpMethod.Post, OAuthPaths.Jwks)]);
        foreach (var (method, path) in paths)
        {
            var response = await fixture.OAuth.SendAsync(new HttpRequestMessage(method, path));
            if (response.Header("X-Content-Type-Options") != "nosniff") missing.Add($"{method} {path}: {(int)response.Status}");
        }

        Assert.True(missing.Count == 0, "No nosniff on:\n" + string.Join('\n', missing));
    }

    [Fact]
    public async Task Token_HugeUnknownScope_EchoesItShortAndEscaped()
    {
        var scope = "<script>\"" + new string('s', 5000);

        var response = await fixture.OAuth.RequestTokenBasicAsync(fixture.Partner, OAuthTestClient.ClientCredentialsForm(scope: scope));

        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_scope", response);
        var description = response.Text("error_description")!;
        Assert.InRange(description.Length, 1, 200);
        Assert.Contains("<script>\"sss", description);
        // The quote is escaped in the raw JSON, not left to break out of the string.
        Assert.True(response.Body.Contains("\\\"sss") || response.Body.Contains("\\u0022sss"), response.Body);
    }

    [Fact]
    public async Task Token_HugeUnknownAudience_EchoesItShort()
    {
        var response = await fixture.OAuth.RequestTokenBasicAsync(fixture.Partner,
            OAuthTestClient.ClientCredentialsForm(audience: new string('a', 5000)));

        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_target", response);
        Assert.InRange(response.Text("error_description")!.Length, 1, 200);
    }

    [Fact]
    public async Task Management_HugeUnknownClientIdAndField_EchoThemShort()
    {
        var notFound = await fixture.Api.GetAsync(ManagementPaths.Client("cc_client_" + new string('x', 3000)));
        var unknownField = await fixture.Api.PostAsync(ManagementPaths.Clients,
            JsonSerializer.Serialize(new Dictionary<string, string> { [new string('f', 5000)] = "x" }));

        ManagementAssert.Problem(HttpStatusCode.NotFound, "not_found", notFound);
        Assert.InRange(notFound.Text("error_description")!.Length, 1, 200);
        Assert.InRange(unknownField.Text("error_description")!.Length, 1, 200);
    }
}
