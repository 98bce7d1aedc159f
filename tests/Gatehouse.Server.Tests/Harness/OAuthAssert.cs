using System.Globalization;
using System.Net;
using System.Text.Json;
using Xunit.Sdk;

namespace Gatehouse.Server.Tests.Harness;

/// Assertions that print the whole response when they fail, so a red test says what the server did.
public static class OAuthAssert
{
    public static void Status(HttpStatusCode expected, OAuthResponse response)
    {
        if (response.Status != expected)
            throw new XunitException($"Expected HTTP {(int)expected} {expected}, got:\n{response}");
    }

    /// An OAuth error response (RFC 6749 §5.2): status, JSON body with <c>error</c>, and <c>Cache-Control: no-store</c>.
    public static void Error(HttpStatusCode status, string error, OAuthResponse response)
    {
        Status(status, response);
        JsonBody(response);
        if (response.Text("error") != error)
            throw new XunitException($"Expected \"error\": \"{error}\", got:\n{response}");
        NoStore(response);
    }

    public static void JsonBody(OAuthResponse response)
    {
        // RFC 6749 §5.1/§5.2, RFC 7662 §2.2: application/json.
        if (response.MediaType != "application/json")
            throw new XunitException($"Expected Content-Type application/json, got '{response.MediaType}':\n{response}");
        if (response.Json.ValueKind != JsonValueKind.Object)
            throw new XunitException($"Expected a JSON object body:\n{response}");
    }

    public static void NoStore(OAuthResponse response)
    {
        if (response.Headers.CacheControl is not { NoStore: true })
            throw new XunitException($"Expected Cache-Control: no-store, got:\n{response}");
    }

    public static void PragmaNoCache(OAuthResponse response)
    {
        if (!response.Headers.Pragma.Any(p => p.Name.Equals("no-cache", StringComparison.OrdinalIgnoreCase)))
            throw new XunitException($"Expected Pragma: no-cache, got:\n{response}");
    }

    /// RFC 9110 §10.2.3: delta-seconds. Returns the value.
    public static int RetryAfterSeconds(OAuthResponse response, int min, int max)
    {
        var value = response.Header("Retry-After");
        if (value is null || !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            throw new XunitException($"Expected Retry-After with delta-seconds, got '{value}':\n{response}");
        if (seconds < min || seconds > max)
            throw new XunitException($"Expected Retry-After between {min} and {max} s, got {seconds}:\n{response}");
        return seconds;
    }

    /// RFC 7662 §2.2: an unusable token is answered with exactly <c>{"active":false}</c>.
    public static void Inactive(OAuthResponse response)
    {
        Status(HttpStatusCode.OK, response);
        JsonBody(response);
        var properties = response.Json.EnumerateObject().ToList();
        if (properties.Count != 1 || properties[0].Name != "active" || properties[0].Value.ValueKind != JsonValueKind.False)
            throw new XunitException($"Expected exactly {{\"active\":false}}, got:\n{response}");
    }

    public static void Active(OAuthResponse response)
    {
        Status(HttpStatusCode.OK, response);
        JsonBody(response);
        if (!response.Json.TryGetProperty("active", out var active) || active.ValueKind != JsonValueKind.True)
            throw new XunitException($"Expected \"active\": true, got:\n{response}");
    }

    public static JsonElement Property(JsonElement json, string name)
    {
        if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty(name, out var value))
            throw new XunitException($"Expected property \"{name}\" in:\n{json}");
        return value;
    }

    public static string StringProperty(JsonElement json, string name)
    {
        var value = Property(json, name);
        if (value.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(value.GetString()))
            throw new XunitException($"Expected \"{name}\" to be a non-empty string in:\n{json}");
        return value.GetString()!;
    }

    public static string[] StringArray(JsonElement json, string name)
    {
        var value = Property(json, name);
        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
            throw new XunitException($"Expected \"{name}\" to be an array of strings in:\n{json}");
        return value.EnumerateArray().Select(v => v.GetString()!).ToArray();
    }

    /// The array property <paramref name="name"/> holds at least every one of <paramref name="expected"/>.
    public static void ContainsAll(IEnumerable<string> expected, JsonElement json, string name)
    {
        var actual = StringArray(json, name);
        var missing = expected.Except(actual).ToList();
        if (missing.Count > 0)
            throw new XunitException($"\"{name}\" lacks {string.Join(", ", missing)} in:\n{json}");
    }

    public static long NumberProperty(JsonElement json, string name)
    {
        var value = Property(json, name);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
            throw new XunitException($"Expected \"{name}\" to be an integer in:\n{json}");
        return number;
    }

    /// Space-separated scope strings compared as sets (RFC 6749 §3.3: order does not matter).
    public static void SameScopes(string expected, string? actual)
    {
        var want = expected.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal);
        var got = (actual ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal);
        if (!want.SequenceEqual(got))
            throw new XunitException($"Expected scopes '{expected}', got '{actual}'.");
    }

    /// <c>aud</c> may be a string or an array (RFC 7519 §4.1.3); either way it must be exactly this one audience.
    public static void Audience(string expected, JsonElement claims)
    {
        var aud = Property(claims, "aud");
        var values = aud.ValueKind switch
        {
            JsonValueKind.String => [aud.GetString()!],
            JsonValueKind.Array => aud.EnumerateArray().Select(a => a.GetString() ?? "").ToArray(),
            _ => throw new XunitException($"\"aud\" is neither string nor array in:\n{claims}"),
        };
        if (values is not [var only] || only != expected)
            throw new XunitException($"Expected aud '{expected}', got {aud} in:\n{claims}");
    }
}
