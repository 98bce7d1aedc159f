using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Xunit.Sdk;

namespace Gatehouse.Server.Tests.Harness;

public static class ManagementPaths
{
    public const string Clients = "/oauth/clients";
    public const string Revocations = "/oauth/revocations";
    public const string Audit = "/oauth/audit";
    public const string Users = "/oauth/users";

    public static string User(string sub) => $"/oauth/users/{Uri.EscapeDataString(sub)}";

    public static string Client(string clientId) => $"/oauth/clients/{Uri.EscapeDataString(clientId)}";
    public static string Secrets(string clientId) => $"{Client(clientId)}/secrets";
    public static string Secret(string clientId, string secretId) => $"{Secrets(clientId)}/{Uri.EscapeDataString(secretId)}";
    public static string Tokens(string clientId) => $"{Client(clientId)}/tokens";
}

/// <summary>
/// The management API (issue 3) over real HTTP, as an operator: a client granted scope
/// <c>clients:manage</c> mints a client-credentials token whose audience is the server's issuer
/// URL and sends it as a bearer token. Every call can also be sent with other credentials.
/// </summary>
public sealed class ManagementTestClient
{
    public const string OperatorScope = "clients:manage";

    readonly GatehouseProcess server;

    ManagementTestClient(GatehouseProcess server, CreatedClient operatorClient, string operatorToken)
    {
        this.server = server;
        Operator = operatorClient;
        OperatorToken = operatorToken;
    }

    /// <summary>The client whose token is the operator's credential.</summary>
    public CreatedClient Operator { get; }

    public string OperatorToken { get; }

    public AuthenticationHeaderValue OperatorAuthorization => Bearer(OperatorToken);

    public OAuthTestClient OAuth => server.OAuth;

    /// <summary>Mints the operator token (audience = issuer) for <paramref name="operatorClient"/>, which must hold <c>clients:manage</c>.</summary>
    public static async Task<ManagementTestClient> CreateAsync(GatehouseProcess server, CreatedClient operatorClient)
    {
        var token = await server.OAuth.GetAccessTokenAsync(operatorClient, audience: server.Issuer);
        return new ManagementTestClient(server, operatorClient, token);
    }

    /// <summary>Creates an operator client with the CLI (before or while the server runs) and returns it.</summary>
    public static Task<CreatedClient> CreateOperatorClientAsync(string dataDirectory, string name = "operator") =>
        GatehouseCli.CreateClientAsync(dataDirectory, name, scope: OperatorScope, rateLimit: GatehouseFixture.UnthrottledRateLimit);

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    /// <summary>Sends <paramref name="json"/> (serialized as is; a string is sent verbatim) with the operator token unless <paramref name="authorization"/> is given.</summary>
    public Task<OAuthResponse> SendJsonAsync(HttpMethod method, string path, object? json = null,
        AuthenticationHeaderValue? authorization = null, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            var text = json as string ?? JsonSerializer.Serialize(json);
            request.Content = new StringContent(text, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        request.Headers.Authorization = authorization ?? OperatorAuthorization;
        return OAuth.SendAsync(request);
    }

    /// <summary>A request with exactly the credentials given (none when null): for refusals and self-service.</summary>
    public Task<OAuthResponse> SendRawAsync(HttpMethod method, string path, AuthenticationHeaderValue? authorization,
        HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = authorization;
        return OAuth.SendAsync(request);
    }

    public Task<OAuthResponse> GetAsync(string path, AuthenticationHeaderValue? authorization = null) =>
        SendJsonAsync(HttpMethod.Get, path, null, authorization);

    public Task<OAuthResponse> DeleteAsync(string path, AuthenticationHeaderValue? authorization = null) =>
        SendJsonAsync(HttpMethod.Delete, path, null, authorization);

    public Task<OAuthResponse> PostAsync(string path, object? json = null, AuthenticationHeaderValue? authorization = null) =>
        SendJsonAsync(HttpMethod.Post, path, json, authorization);

    public Task<OAuthResponse> PatchAsync(string path, object json, AuthenticationHeaderValue? authorization = null) =>
        SendJsonAsync(HttpMethod.Patch, path, json, authorization);

    /// <summary>Registers a client with the API and fails the test unless the server answers 201.</summary>
    public async Task<CreatedClient> RegisterAsync(string name, string? scope = null, IEnumerable<string>? audiences = null,
        int? rateLimit = GatehouseFixture.UnthrottledRateLimit, bool resourceServer = false)
    {
        var body = new Dictionary<string, object?> { ["name"] = name };
        if (resourceServer) body["resource_server"] = true;
        if (scope is not null) body["scope"] = scope;
        if (audiences is not null) body["audiences"] = audiences.ToArray();
        if (rateLimit is not null) body["rate_limit"] = rateLimit;
        var response = await PostAsync(ManagementPaths.Clients, body);
        OAuthAssert.Status(HttpStatusCode.Created, response);
        return FromRegistration(response);
    }

    /// <summary>The 201 body of <c>POST /oauth/clients</c> as a <see cref="CreatedClient"/>.</summary>
    public static CreatedClient FromRegistration(OAuthResponse response)
    {
        var json = response.Json;
        var audiences = OAuthAssert.StringArray(json, "audiences");
        int? rateLimit = json.TryGetProperty("rate_limit", out var rate) && rate.ValueKind == JsonValueKind.Number ? rate.GetInt32() : null;
        return new CreatedClient(
            OAuthAssert.StringProperty(json, "client_id"), OAuthAssert.StringProperty(json, "client_secret"),
            OAuthAssert.StringProperty(json, "secret_id"), OAuthAssert.StringProperty(json, "name"),
            OAuthAssert.StringProperty(json, "scope"), audiences, rateLimit, json);
    }

    /// <summary>Adds a secret as the operator; returns (secret_id, client_secret).</summary>
    public async Task<(string SecretId, string Value)> AddSecretAsync(string clientId, AuthenticationHeaderValue? authorization = null)
    {
        var response = await PostAsync(ManagementPaths.Secrets(clientId), null, authorization);
        OAuthAssert.Status(HttpStatusCode.Created, response);
        return (OAuthAssert.StringProperty(response.Json, "secret_id"), OAuthAssert.StringProperty(response.Json, "client_secret"));
    }

    /// <summary>The <c>secrets</c> array of <c>GET /oauth/clients/{id}/secrets</c>, as the operator.</summary>
    public async Task<JsonElement[]> ListSecretsAsync(string clientId)
    {
        var response = await GetAsync(ManagementPaths.Secrets(clientId));
        OAuthAssert.Status(HttpStatusCode.OK, response);
        return OAuthAssert.Property(response.Json, "secrets").EnumerateArray().ToArray();
    }

    public async Task<string[]> ClientIdsAsync()
    {
        var response = await GetAsync(ManagementPaths.Clients);
        OAuthAssert.Status(HttpStatusCode.OK, response);
        return OAuthAssert.Property(response.Json, "clients").EnumerateArray()
            .Select(c => OAuthAssert.StringProperty(c, "client_id")).ToArray();
    }

    /// <summary>Every audit entry after <paramref name="after"/>, following <c>next</c> page by page.</summary>
    public async Task<List<JsonElement>> AuditAsync(long after = 0, int limit = 1000)
    {
        var entries = new List<JsonElement>();
        var cursor = after.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var page = 0; page < 1000; page++)
        {
            var response = await GetAsync($"{ManagementPaths.Audit}?after={cursor}&limit={limit}");
            OAuthAssert.Status(HttpStatusCode.OK, response);
            entries.AddRange(OAuthAssert.Property(response.Json, "entries").EnumerateArray());
            var next = OAuthAssert.Property(response.Json, "next");
            if (next.ValueKind == JsonValueKind.Null) return entries;
            cursor = next.ValueKind == JsonValueKind.String ? next.GetString()! : next.GetRawText();
        }
        throw new XunitException("The audit log did not end within 1000 pages.");
    }

    /// <summary>GET /oauth/revocations as <paramref name="caller"/> (Basic).</summary>
    public Task<OAuthResponse> RevocationFeedAsync(CreatedClient caller, string? since = null) =>
        GetAsync(since is null ? ManagementPaths.Revocations : $"{ManagementPaths.Revocations}?since={Uri.EscapeDataString(since)}",
            OAuthTestClient.Basic(caller.ClientId, caller.ClientSecret));
}

/// Assertions on management API responses, printing the whole response when they fail.
public static class ManagementAssert
{
    /// A successful management response: the status, <c>application/json</c>, <c>Cache-Control: no-store</c>.
    public static void Json(HttpStatusCode status, OAuthResponse response)
    {
        OAuthAssert.Status(status, response);
        if (response.MediaType != "application/json")
            throw new XunitException($"Expected Content-Type application/json, got '{response.MediaType}':\n{response}");
        OAuthAssert.NoStore(response);
    }

    /// <summary>
    /// A management error (contract notes): <c>application/problem+json</c> with title, status, detail, error,
    /// error_description and, where the request named a wrong field, <c>field</c>; <c>Cache-Control: no-store</c>.
    /// </summary>
    public static void Problem(HttpStatusCode status, string error, OAuthResponse response, string? field = null)
    {
        OAuthAssert.Status(status, response);
        if (response.MediaType != "application/problem+json")
            throw new XunitException($"Expected Content-Type application/problem+json, got '{response.MediaType}':\n{response}");
        OAuthAssert.NoStore(response);
        var json = response.Json;
        if (json.ValueKind != JsonValueKind.Object) throw new XunitException($"Expected a JSON object body:\n{response}");
        if (response.Text("error") != error) throw new XunitException($"Expected \"error\": \"{error}\", got:\n{response}");
        if (OAuthAssert.NumberProperty(json, "status") != (int)status)
            throw new XunitException($"Expected \"status\": {(int)status} in the body:\n{response}");
        OAuthAssert.StringProperty(json, "title");
        OAuthAssert.StringProperty(json, "detail");
        OAuthAssert.StringProperty(json, "error_description");
        var actualField = json.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        if (actualField != field)
            throw new XunitException($"Expected \"field\": {(field is null ? "absent" : $"\"{field}\"")}, got:\n{response}");
    }

    /// The property names of a JSON object, sorted: to assert an exact shape.
    public static string[] PropertyNames(JsonElement json) =>
        json.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    public static void ExactProperties(JsonElement json, params string[] expected)
    {
        var actual = PropertyNames(json);
        var want = expected.Order(StringComparer.Ordinal).ToArray();
        if (!want.SequenceEqual(actual))
            throw new XunitException($"Expected exactly the properties [{string.Join(", ", want)}], got [{string.Join(", ", actual)}] in:\n{json}");
    }

    /// A JSON timestamp (RFC 3339 string), or null when the property is JSON null.
    public static DateTimeOffset? Time(JsonElement json, string name)
    {
        var value = OAuthAssert.Property(json, name);
        if (value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String || !DateTimeOffset.TryParse(value.GetString(), System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.RoundtripKind, out var time))
            throw new XunitException($"Expected \"{name}\" to be an RFC 3339 timestamp or null in:\n{json}");
        return time;
    }

    public static void Near(DateTimeOffset expected, DateTimeOffset? actual, TimeSpan tolerance, string what)
    {
        if (actual is null) throw new XunitException($"Expected {what} near {expected:O}, got null.");
        if ((actual.Value - expected).Duration() > tolerance)
            throw new XunitException($"Expected {what} within {tolerance} of {expected:O}, got {actual:O}.");
    }
}
