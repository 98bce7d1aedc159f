using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;

namespace Gatehouse.Server.Tests.Harness;

/// <summary>A page or redirect as a browser received it.</summary>
public sealed record PageResponse(HttpStatusCode Status, string? Location, string Body, HttpResponseMessage Raw)
{
    public string? Header(string name) =>
        Raw.Headers.TryGetValues(name, out var values) || Raw.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values) : null;

    /// The query parameters of the redirect (the answer to the client), or fails the test.
    public IReadOnlyDictionary<string, string> RedirectQuery()
    {
        if (Location is null) throw new Xunit.Sdk.XunitException($"Expected a redirect, got {(int)Status}:\n{Body[..Math.Min(Body.Length, 2000)]}");
        var query = QueryHelpers.ParseQuery(new Uri(Location).Query);
        return query.ToDictionary(kv => kv.Key, kv => kv.Value.ToString());
    }

    /// The hidden and named fields of the first POST form whose action is <paramref name="action"/>.
    public Dictionary<string, string> Form(string action)
    {
        var form = Regex.Match(Body, $"<form[^>]*action=\"{Regex.Escape(action)}\"[^>]*>(.*?)</form>", RegexOptions.Singleline);
        if (!form.Success) throw new Xunit.Sdk.XunitException($"No form posting to {action} on the page:\n{Body[..Math.Min(Body.Length, 3000)]}");
        var fields = new Dictionary<string, string>();
        foreach (Match input in Regex.Matches(form.Groups[1].Value, "<input([^>]*)>"))
        {
            var name = Regex.Match(input.Groups[1].Value, "name=\"([^\"]*)\"");
            var value = Regex.Match(input.Groups[1].Value, "value=\"([^\"]*)\"");
            if (name.Success) fields[WebUtility.HtmlDecode(name.Groups[1].Value)] = value.Success ? WebUtility.HtmlDecode(value.Groups[1].Value) : "";
        }
        return fields;
    }

    public bool Shows(string text) => Body.Contains(WebUtility.HtmlEncode(text), StringComparison.Ordinal) || Body.Contains(text, StringComparison.Ordinal);
}

/// <summary>
/// A browser without rendering: cookies kept per instance, redirects not followed, forms read from the HTML
/// and posted back as a person's browser would. For the protocol tests; the page tests use real Chromium.
/// </summary>
public sealed class SignInBrowser : IDisposable
{
    private readonly HttpClient http;

    public SignInBrowser(GatehouseProcess server)
    {
        Server = server;
        Cookies = new CookieContainer();
        http = new HttpClient(new SocketsHttpHandler { CookieContainer = Cookies, AllowAutoRedirect = false, UseProxy = false })
        {
            BaseAddress = new Uri(server.BaseAddress),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public GatehouseProcess Server { get; }
    public CookieContainer Cookies { get; }

    public Task<PageResponse> GetAsync(string pathAndQuery) => SendAsync(new HttpRequestMessage(HttpMethod.Get, pathAndQuery));

    public Task<PageResponse> PostAsync(string path, IEnumerable<KeyValuePair<string, string>> fields) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) });

    public async Task<PageResponse> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            return new PageResponse(response.StatusCode, response.Headers.Location?.ToString(), body, response);
        }
    }

    /// Fills the login form on <paramref name="page"/> and sends it.
    public Task<PageResponse> LogInAsync(PageResponse page, string email, string password)
    {
        var fields = page.Form("/oauth/login");
        fields["email"] = email;
        fields["password"] = password;
        return PostAsync("/oauth/login", fields);
    }

    /// Presses Allow or Deny on the consent page.
    public Task<PageResponse> DecideAsync(PageResponse page, bool allow)
    {
        var fields = page.Form("/oauth/consent");
        fields["decision"] = allow ? "allow" : "deny";
        return PostAsync("/oauth/consent", fields);
    }

    /// The whole person-facing flow: authorize, log in if asked, allow if asked; returns the answer to the client.
    public async Task<PageResponse> SignInAsync(string authorizeUrl, string email, string password)
    {
        var page = await GetAsync(authorizeUrl);
        if (page.Status == HttpStatusCode.OK && page.Body.Contains("action=\"/oauth/login\"")) page = await LogInAsync(page, email, password);
        if (page.Status == HttpStatusCode.OK && page.Body.Contains("action=\"/oauth/consent\"")) page = await DecideAsync(page, allow: true);
        return page;
    }

    public void Dispose() => http.Dispose();
}

/// <summary>RFC 7636 verifier and S256 challenge.</summary>
public sealed record PkcePair(string Verifier, string Challenge)
{
    public static PkcePair New()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        return new PkcePair(verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>A client registered for sign-in: public ones have no secret.</summary>
public sealed record SignInClient(string ClientId, string? Secret, string RedirectUri)
{
    /// An authorization request for this client, with any parameter replaced or removed (null).
    public string AuthorizeUrl(PkcePair pkce, string scope = "openid profile email companies", string? state = "st-123",
        string? nonce = "nonce-abc", IDictionary<string, string?>? overrides = null)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["response_type"] = "code", ["client_id"] = ClientId, ["redirect_uri"] = RedirectUri, ["scope"] = scope,
            ["state"] = state, ["nonce"] = nonce, ["code_challenge"] = pkce.Challenge, ["code_challenge_method"] = "S256",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>()) parameters[key] = value;
        return QueryHelpers.AddQueryString("/oauth/authorize", parameters.Where(p => p.Value is not null)!);
    }

    public static async Task<SignInClient> CreateAsync(string dataDirectory, string name, string redirectUri, params string[] extra)
    {
        // Unthrottled unless the test says otherwise: a suite redeems many codes per second for one client.
        string[] limit = extra.Contains("--rate-limit") ? [] : ["--rate-limit", GatehouseFixture.UnthrottledRateLimit.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        var result = await GatehouseCli.RunAsync(dataDirectory, ["clients", "create", "--name", name, "--redirect-uri", redirectUri, .. limit, .. extra, "--json"]);
        if (result.ExitCode != 0) throw new InvalidOperationException($"clients create failed.\n{result}");
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        var secret = json.RootElement.GetProperty("client_secret");
        return new SignInClient(json.RootElement.GetProperty("client_id").GetString()!,
            secret.ValueKind == System.Text.Json.JsonValueKind.String ? secret.GetString() : null, redirectUri);
    }
}
