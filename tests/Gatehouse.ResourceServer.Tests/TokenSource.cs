using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gatehouse.Testing;

namespace Gatehouse.ResourceServer.Tests;

/// Raw token requests to the test server: these tests are about the API side, so no client library here.
internal static class TokenSource
{
    private static readonly HttpClient Http = new();

    public static async Task<string> MintAsync(GatehouseServer server, CreatedClient client, string? scope = null, string? audience = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, server.Issuer + "/oauth/token");
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        if (scope is not null) form["scope"] = scope;
        if (audience is not null) form["audience"] = audience;
        request.Content = new FormUrlEncodedContent(form);
        request.Headers.Authorization = Basic(client);
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"token request failed: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    /// RFC 7009: the client revokes its own token.
    public static async Task RevokeAsync(GatehouseServer server, CreatedClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, server.Issuer + "/oauth/revoke")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }),
        };
        request.Headers.Authorization = Basic(client);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    private static AuthenticationHeaderValue Basic(CreatedClient client) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(client.ClientId) + ":" + Uri.EscapeDataString(client.ClientSecret))));
}
