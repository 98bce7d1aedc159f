using System.Text;
using Gatehouse.Server.OAuth;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Server.Clients;

/// Credentials as the client sent them: RFC 6749 §2.3.1, Basic or in the form body, never both.
/// Secret is null when a public client (RFC 6749 §2.1) identified itself with client_id alone.
internal readonly record struct ClientCredentials(string ClientId, string? Secret, bool ViaBasic)
{
    public static Outcome<ClientCredentials> Read(HttpRequest request, IFormCollection form)
    {
        var formId = Single(form, "client_id");
        var formSecret = Single(form, "client_secret");
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            if (formSecret is not null)
                return OAuthError.InvalidRequest("Send client credentials in the Authorization header or in the body, not both.");
            if (!TryDecodeBasic(authorization.AsSpan(6).Trim(), out var id, out var secret))
                return OAuthError.InvalidClient("The Basic authorization header is malformed.", basic: true);
            if (formId is not null && formId != id)
                return OAuthError.InvalidRequest("client_id in the body does not match the Authorization header.");
            return new ClientCredentials(id, secret, ViaBasic: true);
        }
        if (formId is not null && formSecret is null && !form.ContainsKey("client_secret"))
            return new ClientCredentials(formId, null, ViaBasic: false);
        if (formId is null || formSecret is null)
            // RFC 9110 §11.6.1: a 401 always names a scheme the client can use.
            return OAuthError.InvalidClient("Client authentication is required: client_id and client_secret, in the body or with HTTP Basic.", basic: true);
        return new ClientCredentials(formId, formSecret, ViaBasic: false);
    }

    private static string? Single(IFormCollection form, string name) =>
        form.TryGetValue(name, out StringValues value) && value.Count == 1 && !string.IsNullOrEmpty(value[0]) ? value[0] : null;

    /// RFC 6749 §2.3.1: id and secret are form-url-encoded before being joined with ':' and base64-encoded.
    private static bool TryDecodeBasic(ReadOnlySpan<char> encoded, out string clientId, out string secret)
    {
        clientId = secret = "";
        Span<byte> bytes = stackalloc byte[512];
        if (encoded.Length > 680 || !Convert.TryFromBase64Chars(encoded, bytes, out var length)) return false;
        var text = Encoding.UTF8.GetString(bytes[..length]);
        var colon = text.IndexOf(':');
        if (colon <= 0) return false;
        clientId = FormDecode(text[..colon]);
        secret = FormDecode(text[(colon + 1)..]);
        return secret.Length > 0;
    }

    private static string FormDecode(string value) =>
        value.AsSpan().ContainsAny('%', '+') ? Uri.UnescapeDataString(value.Replace('+', ' ')) : value;
}
