using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Gatehouse.Testing;

/// Reads (and for forgery tests, rewrites) the parts of a compact JWS without validating anything.
public static class Jwt
{
    public static JsonElement Header(string token) => Part(token, 0);

    public static JsonElement Payload(string token) => Part(token, 1);

    public static string KeyId(string token) => Header(token).GetProperty("kid").GetString()!;

    public static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    private static JsonElement Part(string token, int index) =>
        JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[index])).RootElement.Clone();
}
