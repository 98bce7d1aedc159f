using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Gatehouse.Server.Tests.Harness;

public static class OAuthPaths
{
    public const string Token = "/oauth/token";
    public const string PartnerToken = "/partner/v1/oauth/token";
    public const string Introspect = "/oauth/introspect";
    public const string PartnerIntrospect = "/partner/v1/oauth/introspect";
    public const string Revoke = "/oauth/revoke";
    public const string Jwks = "/.well-known/jwks.json";
    public const string PartnerJwks = "/partner/v1/oauth/jwks";
    public const string AuthorizationServerMetadata = "/.well-known/oauth-authorization-server";
    public const string OpenIdConfiguration = "/.well-known/openid-configuration";
}

/// <summary>A response read to the end: status, every header and the body, JSON parsed on demand.</summary>
public sealed class OAuthResponse
{
    JsonElement? json;

    public OAuthResponse(HttpStatusCode status, HttpResponseHeaders headers, HttpContentHeaders contentHeaders, string body)
    {
        Status = status;
        Headers = headers;
        ContentHeaders = contentHeaders;
        Body = body;
    }

    public HttpStatusCode Status { get; }
    public HttpResponseHeaders Headers { get; }
    public HttpContentHeaders ContentHeaders { get; }
    public string Body { get; }

    public string? MediaType => ContentHeaders.ContentType?.MediaType;

    public JsonElement Json
    {
        get
        {
            if (json is { } parsed) return parsed;
            try
            {
                using var document = JsonDocument.Parse(Body);
                json = document.RootElement.Clone();
                return json.Value;
            }
            catch (JsonException e)
            {
                throw new Xunit.Sdk.XunitException($"Response body is not JSON ({e.Message}).\n{this}");
            }
        }
    }

    /// <summary>A header's values joined by ", ", from either the response or the content headers; null if absent.</summary>
    public string? Header(string name)
    {
        if (Headers.TryGetValues(name, out var values) || ContentHeaders.TryGetValues(name, out values))
            return string.Join(", ", values);
        return null;
    }

    /// <summary>A string property of the JSON body, or null if it is missing or not a string.</summary>
    public string? Text(string property) =>
        Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append((int)Status).Append(' ').Append(Status).AppendLine();
        foreach (var header in Headers.Concat(ContentHeaders))
            text.Append(header.Key).Append(": ").AppendLine(string.Join(", ", header.Value));
        text.AppendLine().Append(Body.Length > 4000 ? Body[..4000] + "..." : Body);
        return text.ToString();
    }
}

/// <summary>
/// OAuth calls against one <see cref="GatehouseProcess"/>, each returning status, headers and body.
/// Forms are lists of pairs so a test can repeat or omit any parameter.
/// </summary>
public sealed class OAuthTestClient(GatehouseProcess server, bool management = false)
{
    public static IReadOnlyList<KeyValuePair<string, string>> ClientCredentialsForm(
        string? scope = null, string? audience = null, string? resource = null)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        if (scope is not null) form.Add(new("scope", scope));
        if (audience is not null) form.Add(new("audience", audience));
        if (resource is not null) form.Add(new("resource", resource));
        return form;
    }

    /// RFC 6749 §2.3.1: client_secret_basic carries the form-url-encoded id and secret.
    public static AuthenticationHeaderValue Basic(string clientId, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{FormEncode(clientId)}:{FormEncode(secret)}")));

    public static string FormEncode(string value) => WebUtility.UrlEncode(value);

    public Task<OAuthResponse> RequestTokenBasicAsync(string clientId, string secret,
        IEnumerable<KeyValuePair<string, string>>? form = null, string path = OAuthPaths.Token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent(form ?? ClientCredentialsForm()),
        };
        request.Headers.Authorization = Basic(clientId, secret);
        return SendAsync(request);
    }

    public Task<OAuthResponse> RequestTokenPostAsync(string clientId, string secret,
        IEnumerable<KeyValuePair<string, string>>? form = null, string path = OAuthPaths.Token)
    {
        var body = (form ?? ClientCredentialsForm()).ToList();
        body.Add(new("client_id", clientId));
        body.Add(new("client_secret", secret));
        return SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(body) });
    }

    public Task<OAuthResponse> RequestTokenBasicAsync(CreatedClient client,
        IEnumerable<KeyValuePair<string, string>>? form = null, string path = OAuthPaths.Token) =>
        RequestTokenBasicAsync(client.ClientId, client.ClientSecret, form, path);

    /// Mints a token with client_secret_basic and fails the test unless the server answers 200.
    public async Task<string> GetAccessTokenAsync(CreatedClient client, string? scope = null, string? audience = null)
    {
        var response = await RequestTokenBasicAsync(client, ClientCredentialsForm(scope, audience));
        OAuthAssert.Status(HttpStatusCode.OK, response);
        return response.Text("access_token") ?? throw new Xunit.Sdk.XunitException($"No access_token.\n{response}");
    }

    /// The raw JSON of the JWKS key that <paramref name="kid"/> names; fails the test if there is none.
    public async Task<string> GetPublicJwkAsync(string kid)
    {
        var response = await GetAsync(OAuthPaths.Jwks);
        OAuthAssert.Status(HttpStatusCode.OK, response);
        foreach (var key in OAuthAssert.Property(response.Json, "keys").EnumerateArray())
        {
            if (key.TryGetProperty("kid", out var value) && value.GetString() == kid) return key.GetRawText();
        }
        throw new Xunit.Sdk.XunitException($"kid {kid} is not in the JWKS:\n{response}");
    }

    public Task<OAuthResponse> IntrospectAsync(string token, string clientId, string secret, string path = OAuthPaths.Introspect)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent([new("token", token)]),
        };
        request.Headers.Authorization = Basic(clientId, secret);
        return SendAsync(request);
    }

    public Task<OAuthResponse> IntrospectAsync(string token, CreatedClient caller, string path = OAuthPaths.Introspect) =>
        IntrospectAsync(token, caller.ClientId, caller.ClientSecret, path);

    public Task<OAuthResponse> RevokeAsync(string token, CreatedClient caller, string? tokenTypeHint = null)
    {
        var form = new List<KeyValuePair<string, string>> { new("token", token) };
        if (tokenTypeHint is not null) form.Add(new("token_type_hint", tokenTypeHint));
        var request = new HttpRequestMessage(HttpMethod.Post, OAuthPaths.Revoke) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = Basic(caller.ClientId, caller.ClientSecret);
        return SendAsync(request);
    }

    public Task<OAuthResponse> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> form,
        AuthenticationHeaderValue? authorization = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = authorization;
        return SendAsync(request);
    }

    public Task<OAuthResponse> GetAsync(string path, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        configure?.Invoke(request);
        return SendAsync(request);
    }

    public async Task<OAuthResponse> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                response = await (management ? server.ManagementHttp : server.Http).SendAsync(request);
            }
            catch (HttpRequestException e)
            {
                throw new Xunit.Sdk.XunitException($"{request.Method} {request.RequestUri} failed: {e.Message}\n{server.Describe()}");
            }
            using var _ = response;
            var body = await response.Content.ReadAsStringAsync();
            return new OAuthResponse(response.StatusCode, response.Headers, response.Content.Headers, body);
        }
    }
}
