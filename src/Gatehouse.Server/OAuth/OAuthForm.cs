using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Server.OAuth;

/// Reads the body of a token, introspection or revocation request (RFC 6749 §3.2): form-encoded UTF-8 only,
/// bounded in size, and no parameter more than once. Names are matched exactly (RFC 6749 §1.9: parameter
/// names are case-sensitive), so `GRANT_TYPE` is an unknown parameter, ignored (§3.1), never `grant_type`.
/// ASP.NET Core's own form reader folds case, so this is the one place a protocol form is read.
internal static class OAuthForm
{
    public const int MaxBodyBytes = 16 * 1024;

    public static async Task<Outcome<IFormCollection>> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (MediaTypes.Check(request.ContentType, NotAForm, MediaTypes.Form) is { } refused) return refused;
        if (request.ContentLength > MaxBodyBytes) return TooLarge;
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxBodyBytes;

        var buffer = ArrayPool<byte>.Shared.Rent(MaxBodyBytes + 1);
        try
        {
            var length = 0;
            try
            {
                int read;
                while (length <= MaxBodyBytes && (read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBodyBytes + 1 - length), ct)) > 0)
                    length += read;
            }
            catch (Exception e) when (e is BadHttpRequestException or IOException)
            {
                return TooLarge;
            }
            return length > MaxBodyBytes ? TooLarge : Parse(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// Parses (and decodes in place) `name=value&...` (WHATWG URL §5.1): '+' is a space, %XX a byte, and the
    /// decoded bytes must be UTF-8. Stricter than browsers, which pass bad escapes through: a request that
    /// could be read two ways is refused. Pairs with an empty name carry nothing and are skipped.
    internal static Outcome<IFormCollection> Parse(Span<byte> body)
    {
        var fields = new Dictionary<string, StringValues>(8, StringComparer.Ordinal);
        while (!body.IsEmpty)
        {
            var ampersand = body.IndexOf((byte)'&');
            var pair = ampersand < 0 ? body : body[..ampersand];
            body = ampersand < 0 ? [] : body[(ampersand + 1)..];
            var equals = pair.IndexOf((byte)'=');
            var rawName = equals < 0 ? pair : pair[..equals];
            if (rawName.IsEmpty) continue;
            if (!TryDecode(rawName, out var name)) return Malformed;
            if (!TryDecode(equals < 0 ? [] : pair[(equals + 1)..], out var value)) return Malformed;
            if (!fields.TryAdd(name, value)) return OAuthError.InvalidRequest($"Parameter {Echo.Quoted(name)} is repeated.");
        }
        return new Outcome<IFormCollection>(new FormCollection(fields));
    }

    /// The single value of a parameter, or null when absent or empty (RFC 6749 §3.1: empty = omitted).
    public static string? Value(this IFormCollection form, string name) =>
        form.TryGetValue(name, out StringValues value) && !string.IsNullOrEmpty(value[0]) ? value[0] : null;

    private static bool TryDecode(Span<byte> raw, out string text)
    {
        text = "";
        if (raw.IsEmpty) return true;
        var length = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var b = raw[i];
            if (b == (byte)'+') b = (byte)' ';
            else if (b == (byte)'%')
            {
                if (i + 2 >= raw.Length || HexValue(raw[i + 1]) is not (>= 0 and var high) || HexValue(raw[i + 2]) is not (>= 0 and var low))
                    return false;
                b = (byte)((high << 4) | low);
                i += 2;
            }
            raw[length++] = b;
        }
        var decoded = raw[..length];
        if (!System.Text.Unicode.Utf8.IsValid(decoded)) return false;
        text = KnownName(decoded) ?? Encoding.UTF8.GetString(decoded);
        return true;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// The parameters the protocol endpoints read, so their names are not allocated on every request.
    private static readonly string[] KnownNames =
    [
        "grant_type", "client_id", "client_secret", "scope", "audience", "resource", "token", "token_type_hint",
        "code", "redirect_uri", "code_verifier", "refresh_token",
    ];

    private static readonly byte[][] KnownNamesUtf8 = KnownNames.Select(Encoding.UTF8.GetBytes).ToArray();

    private static string? KnownName(ReadOnlySpan<byte> decoded)
    {
        for (var i = 0; i < KnownNamesUtf8.Length; i++)
            if (decoded.SequenceEqual(KnownNamesUtf8[i])) return KnownNames[i];
        return null;
    }

    private static readonly OAuthError NotAForm = OAuthError.InvalidRequest("The request body must be application/x-www-form-urlencoded.");

    private static readonly OAuthError TooLarge = OAuthError.InvalidRequest($"The request body is not a form of at most {MaxBodyBytes / 1024} KiB.");

    private static readonly OAuthError Malformed =
        OAuthError.InvalidRequest("The form is malformed: every '%' must start a %XX escape, and the decoded text must be UTF-8.");
}
