using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Hardening;

/// Issue 11, defect 1: no input, however malformed, reaches an unhandled exception. Every endpoint gets every
/// malformed request below; none may answer 5xx, and the server must log no exception.
public sealed class MalformedRequestTests(HardeningFixture fixture) : IClassFixture<HardeningFixture>
{
    const string Form = "application/x-www-form-urlencoded";
    const string ValidForm = "grant_type=client_credentials&token=x.y.z&scope=applications:read";

    static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
    static string Basic(string raw) => "Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(raw));

    /// (headers, body): sent to every endpoint with the endpoint's own method.
    static readonly Dictionary<string, (string[] Headers, byte[]? Body)> Cases = new()
    {
        ["charset utf-7"] = ([$"Content-Type: {Form}; charset=utf-7"], Bytes(ValidForm)),
        ["charset unknown"] = ([$"Content-Type: {Form}; charset=klingon"], Bytes(ValidForm)),
        ["charset empty"] = ([$"Content-Type: {Form}; charset="], Bytes(ValidForm)),
        ["charset unterminated quote"] = ([$"Content-Type: {Form}; charset=\"utf-8"], Bytes(ValidForm)),
        ["charset utf-32"] = ([$"Content-Type: {Form}; charset=utf-32"], Bytes(ValidForm)),
        ["charset non-ascii"] = ([$"Content-Type: {Form}; charset=\u00e9t\u00e9"], Bytes(ValidForm)),
        ["content type garbage"] = ([$"Content-Type: {Form};;;=;=\""], Bytes(ValidForm)),
        ["content type without subtype"] = (["Content-Type: application/"], Bytes(ValidForm)),
        ["content type text/plain"] = (["Content-Type: text/plain"], Bytes(ValidForm)),
        ["multipart without boundary"] = (["Content-Type: multipart/form-data"], Bytes(ValidForm)),
        ["multipart truncated"] = (["Content-Type: multipart/form-data; boundary=xyz"],
            Bytes("--xyz\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials")),
        ["json charset utf-7"] = (["Content-Type: application/json; charset=utf-7"], Bytes("{\"name\":\"x\"}")),
        ["json truncated"] = (["Content-Type: application/json"], Bytes("{\"name\":")),
        ["json not utf-8"] = (["Content-Type: application/json"], [.. Bytes("{\"name\":\""), 0xff, 0xfe, .. Bytes("\"}")]),
        ["json deeply nested"] = (["Content-Type: application/json"], Bytes(new string('[', 5000) + new string(']', 5000))),
        ["invalid percent-encoding"] = ([$"Content-Type: {Form}"], Bytes("grant_type=%zz&client_id=%&client_secret=%E2%82&token=%")),
        ["non-UTF-8 bytes"] = ([$"Content-Type: {Form}"], [.. Bytes("grant_type=client_credentials&client_id="), 0xff, 0xfe, .. Bytes("&client_secret="), 0xc3]),
        ["empty names and values"] = ([$"Content-Type: {Form}"], Bytes("=&&=x&a&&client_secret&client_id=")),
        ["repeated parameters"] = ([$"Content-Type: {Form}"], Bytes("grant_type=a&grant_type=b&token=1&token=2")),
        ["truncated body"] = ([$"Content-Type: {Form}", "Content-Length: 500"], Bytes(ValidForm)),
        ["absurd content length"] = ([$"Content-Type: {Form}", "Content-Length: 99999999999"], Bytes(ValidForm)),
        ["huge body"] = ([$"Content-Type: {Form}"], Bytes("grant_type=client_credentials&pad=" + new string('a', 1024 * 1024))),
        ["huge chunked body"] = ([$"Content-Type: {Form}", "Transfer-Encoding: chunked"], Chunked(1024 * 1024)),
        ["huge json"] = (["Content-Type: application/json"], Bytes("{\"name\":\"" + new string('a', 1024 * 1024) + "\"}")),
        ["bad chunk"] = ([$"Content-Type: {Form}", "Transfer-Encoding: chunked"], Bytes("zz\r\nabc\r\n0\r\n\r\n")),
        ["basic not base64"] = (["Authorization: Basic !!!!", $"Content-Type: {Form}"], Bytes(ValidForm)),
        ["basic without colon"] = ([Basic("nocolon"), $"Content-Type: {Form}"], Bytes(ValidForm)),
        ["basic empty id"] = ([Basic(":secret"), $"Content-Type: {Form}"], Bytes(ValidForm)),
        ["basic empty secret"] = ([Basic("id:"), $"Content-Type: {Form}"], Bytes(ValidForm)),
        ["basic bad percent-encoding"] = ([Basic("%zz%:%E2%82"), $"Content-Type: {Form}"], Bytes(ValidForm)),
        ["basic not utf-8"] = (["Authorization: Basic " + Convert.ToBase64String([0xff, 0xfe, (byte)':', 0xc3]), $"Content-Type: {Form}"], Bytes(ValidForm)),
        ["basic huge"] = (["Authorization: Basic " + new string('A', 16 * 1024), $"Content-Type: {Form}"], Bytes(ValidForm)),
        ["basic without value"] = (["Authorization: Basic", $"Content-Type: {Form}"], Bytes(ValidForm)),
        ["basic and body secret"] = ([Basic("a:b"), $"Content-Type: {Form}"], Bytes(ValidForm + "&client_id=a&client_secret=b")),
        ["bearer garbage"] = (["Authorization: Bearer a.b.c", $"Content-Type: {Form}"], Bytes(ValidForm)),
        ["bearer empty"] = (["Authorization: Bearer ", $"Content-Type: {Form}"], Bytes(ValidForm)),
        ["bearer huge"] = (["Authorization: Bearer " + new string('e', 16 * 1024)], null),
        ["bearer forged"] = (["Authorization: Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."], null),
        ["unknown scheme"] = (["Authorization: Negotiate abc", $"Content-Type: {Form}"], Bytes(ValidForm)),
    };

    static byte[] Chunked(int size)
    {
        var chunk = new string('a', 8192);
        var text = new StringBuilder("2e\r\ngrant_type=client_credentials&client_id=x&pad=\r\n");
        for (var sent = 0; sent < size; sent += chunk.Length) text.Append("2000\r\n").Append(chunk).Append("\r\n");
        text.Append("0\r\n\r\n");
        return Bytes(text.ToString());
    }

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task AnyEndpoint_MalformedRequest_AnswersWithout5xxOrLoggedException(string caseName)
    {
        var (headers, body) = Cases[caseName];
        var logsBefore = fixture.Server.Logs.Length;
        var failures = new List<string>();
        // A body shorter than its Content-Length only ends when the client stops sending; then no answer is fine.
        var truncated = headers.Any(h => h.StartsWith("Content-Length:", StringComparison.Ordinal));
        var requests = fixture.Endpoints().Select(e => (e.Method, e.Path))
            // The same requests with a hostile query string.
            .Concat(fixture.Endpoints().Take(8).Select(e => (e.Method, e.Path + "?since=%zz&after=%ff&limit=-1&since=1&token=%")));
        foreach (var (method, path) in requests)
        {
            var (status, response) = await RawHttp.SendAsync(fixture.Server.Port, RawHttp.Build(method, path, headers, body), halfClose: truncated);
            if (status is >= 500 || (status is null && !truncated)) failures.Add($"{method} {path}: {status} {response[..Math.Min(response.Length, 300)]}");
        }

        var logged = LoggedFailures(logsBefore);
        Assert.True(failures.Count == 0 && logged.Length == 0,
            $"{caseName}:\n{string.Join("\n", failures)}\nlogged:\n{string.Join("\n", logged)}");
    }

    public static TheoryData<string, string> BadCharsetOnFormEndpoints()
    {
        var data = new TheoryData<string, string>();
        foreach (var path in new[] { OAuthPaths.Token, OAuthPaths.PartnerToken, OAuthPaths.Introspect, OAuthPaths.PartnerIntrospect, OAuthPaths.Revoke })
        foreach (var charset in new[] { "utf-7", "klingon", "", "\"utf-8", "utf-16" })
            data.Add(path, charset);
        return data;
    }

    [Theory]
    [MemberData(nameof(BadCharsetOnFormEndpoints))]
    public async Task FormEndpoint_UnsupportedCharset_Returns400InvalidRequestNoStore(string path, string charset)
    {
        var content = new ByteArrayContent(Bytes($"grant_type=client_credentials&token=x"));
        content.Headers.TryAddWithoutValidation("Content-Type", $"{Form}; charset={charset}");
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Authorization = OAuthTestClient.Basic(fixture.Partner.ClientId, fixture.Partner.ClientSecret);

        var response = await fixture.OAuth.SendAsync(request);

        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_request", response);
        OAuthAssert.NoStore(response);
    }

    [Theory]
    [InlineData("utf-8")]
    [InlineData("UTF-8")]
    [InlineData("\"utf-8\"")]
    public async Task Token_Utf8Charset_Returns200(string charset)
    {
        var content = new ByteArrayContent(Bytes("grant_type=client_credentials"));
        content.Headers.TryAddWithoutValidation("Content-Type", $"{Form}; charset={charset}");
        var request = new HttpRequestMessage(HttpMethod.Post, OAuthPaths.Token) { Content = content };
        request.Headers.Authorization = OAuthTestClient.Basic(fixture.Partner.ClientId, fixture.Partner.ClientSecret);

        var response = await fixture.OAuth.SendAsync(request);

        OAuthAssert.Status(HttpStatusCode.OK, response);
    }

    [Theory]
    [InlineData("utf-7")]
    [InlineData("klingon")]
    public async Task SelfServiceSecret_UnsupportedCharset_Returns400InvalidRequestNoStore(string charset)
    {
        var content = new ByteArrayContent(Bytes($"client_id={fixture.Partner.ClientId}&client_secret={fixture.Partner.ClientSecret}"));
        content.Headers.TryAddWithoutValidation("Content-Type", $"{Form}; charset={charset}");

        var response = await fixture.Api.SendRawAsync(HttpMethod.Post, ManagementPaths.Secrets(fixture.Partner.ClientId), null, content);

        ManagementAssert.Problem(HttpStatusCode.BadRequest, "invalid_request", response);
    }

    public static TheoryData<string> Methods => ["GET", "HEAD", "OPTIONS", "PROPFIND", "BREW", "TRACE", "DELETE", "PUT", "POST"];

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task AnyEndpoint_BodylessRequestWithAnyMethod_AnswersWithout5xx(string method)
    {
        var logsBefore = fixture.Server.Logs.Length;
        var failures = new List<string>();
        foreach (var (_, path) in fixture.Endpoints())
        {
            var (status, response) = await RawHttp.SendAsync(fixture.Server.Port, RawHttp.Build(new HttpMethod(method), path, [], null), halfClose: false);
            if (status is null or >= 500) failures.Add($"{method} {path}: {response[..Math.Min(response.Length, 300)]}");
        }

        var logged = LoggedFailures(logsBefore);
        Assert.True(failures.Count == 0 && logged.Length == 0, $"{string.Join("\n", failures)}\nlogged:\n{string.Join("\n", logged)}");
    }

    /// Lines the server logged at error level or above, or with an exception, since <paramref name="from"/>.
    string[] LoggedFailures(int from)
    {
        Thread.Sleep(200); // let the last lines of output arrive
        return fixture.Server.Logs[from..].Split('\n')
            .Where(line => line.Contains("fail:") || line.Contains("crit:") || line.Contains("Exception", StringComparison.Ordinal))
            .ToArray();
    }
}
