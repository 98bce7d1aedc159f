using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gatehouse.Client.Diagnostics;
using Gatehouse.Client.Http;

namespace Gatehouse.Client.Tokens;

/// One client_credentials request (RFC 6749 §4.4) to the discovered token endpoint, answered as a token or a failure.
internal sealed class TokenEndpointClient(GatehouseClientOptions options, Func<HttpClient> http, TimeProvider time, ClientMetrics metrics)
{
    // RFC 6749 §5.1 makes expires_in optional; Gatehouse always sends it, and its default is one hour.
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);
    private readonly AuthenticationHeaderValue _credentials = ClientCredentialsHeader.Basic(options.ClientId, options.ClientSecret);
    private readonly string _scope = options.ScopeSet;

    public async Task<(GatehouseToken? Token, TokenFailure? Failure)> RequestAsync(Uri tokenEndpoint, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint) { Content = new FormUrlEncodedContent(Form()) };
        request.Headers.Authorization = _credentials;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var started = time.GetTimestamp();
        var (token, failure) = await SendAsync(request, ct);
        metrics.TokenRequest(failure?.Error ?? "success", time.GetElapsedTime(started));
        return (token, failure);
    }

    private List<KeyValuePair<string, string>> Form()
    {
        var form = new List<KeyValuePair<string, string>>(3) { new("grant_type", "client_credentials") };
        if (_scope.Length > 0) form.Add(new("scope", _scope));
        if (!string.IsNullOrEmpty(options.Audience)) form.Add(new("audience", options.Audience));
        return form;
    }

    private async Task<(GatehouseToken?, TokenFailure?)> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        try
        {
            using var response = await http().SendAsync(request, ct);
            var receivedAt = time.GetUtcNow();
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            return response.IsSuccessStatusCode
                ? ParseToken(body, receivedAt, response.StatusCode)
                : (null, ParseError(body, response, receivedAt));
        }
        catch (HttpRequestException e)
        {
            return (null, new TokenFailure("server_unreachable", e.Message, null, null));
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, new TokenFailure("server_unreachable", "The token request timed out.", null, null));
        }
    }

    private static (GatehouseToken?, TokenFailure?) ParseToken(byte[] body, DateTimeOffset receivedAt, HttpStatusCode status)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var accessToken = String(root, "access_token");
            var tokenType = String(root, "token_type");
            if (string.IsNullOrEmpty(accessToken) || !"Bearer".Equals(tokenType, StringComparison.OrdinalIgnoreCase))
                return (null, new TokenFailure("invalid_response", "The token response has no Bearer access_token.", status, null));
            var lifetime = root.TryGetProperty("expires_in", out var e) && e.TryGetInt64(out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : DefaultLifetime;
            return (new GatehouseToken(accessToken, String(root, "scope"), receivedAt, receivedAt + lifetime), null);
        }
        catch (JsonException)
        {
            return (null, new TokenFailure("invalid_response", "The token response is not JSON.", status, null));
        }
    }

    private static TokenFailure ParseError(byte[] body, HttpResponseMessage response, DateTimeOffset now)
    {
        string? error = null, description = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            error = String(document.RootElement, "error");
            description = String(document.RootElement, "error_description");
        }
        catch (JsonException)
        {
            // A proxy's HTML error page: the status code is all we have.
        }
        error ??= response.StatusCode switch
        {
            HttpStatusCode.TooManyRequests => "rate_limited",
            HttpStatusCode.ServiceUnavailable => "temporarily_unavailable",
            HttpStatusCode.Unauthorized => "invalid_client",
            _ => "http_" + (int)response.StatusCode,
        };
        return new TokenFailure(error, description, response.StatusCode, RetryAfter.From(response.Headers, now));
    }

    private static string? String(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
