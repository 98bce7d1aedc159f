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

    /// The latest client-wide cut-off (revoked_before_us) the revocation feed lists for <paramref name="clientId"/>.
    public static async Task<long?> ClientCutoffAsync(GatehouseServer server, CreatedClient reader, string clientId)
    {
        long? cutoff = null;
        var cursor = "0";
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{server.Issuer}/oauth/revocations?since={cursor}");
            request.Headers.Authorization = Basic(reader);
            using var response = await Http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            foreach (var entry in page.GetProperty("revocations").EnumerateArray())
            {
                if (entry.GetProperty("type").GetString() == "client" && entry.GetProperty("client_id").GetString() == clientId)
                    cutoff = Math.Max(cutoff ?? 0, entry.GetProperty("revoked_before_us").GetInt64());
            }
            if (!page.TryGetProperty("has_more", out var more) || !more.GetBoolean()) return cutoff;
            cursor = page.GetProperty("cursor").ToString();
        }
    }

    private static AuthenticationHeaderValue Basic(CreatedClient client) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(client.ClientId) + ":" + Uri.EscapeDataString(client.ClientSecret))));
}
