using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Sdk;

namespace Gatehouse.Server.Tests.Harness;

/// <summary>A compact JWS taken apart, and the forgeries the tests throw at the server.</summary>
public sealed class TestJwt
{
    TestJwt(string raw, JsonElement header, JsonElement payload)
    {
        Raw = raw;
        Header = header;
        Payload = payload;
    }

    public string Raw { get; }
    public JsonElement Header { get; }
    public JsonElement Payload { get; }
    public string Kid => OAuthAssert.StringProperty(Header, "kid");

    public static TestJwt Parse(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) throw new XunitException($"Not a compact JWS (expected 3 segments): {token}");
        try
        {
            return new TestJwt(token, Decode(parts[0]), Decode(parts[1]));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw new XunitException($"Not a JWT ({e.Message}): {token}");
        }

        static JsonElement Decode(string segment)
        {
            using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(segment));
            return document.RootElement.Clone();
        }
    }

    public static JsonObject HeaderOf(string token) => (JsonObject)JsonNode.Parse(Base64Url.DecodeFromChars(token.Split('.')[0]))!;
    public static JsonObject PayloadOf(string token) => (JsonObject)JsonNode.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]))!;

    /// One character in the middle of the signature changed (the middle, so the change is never lost in padding bits).
    public static string WithFlippedSignatureCharacter(string token)
    {
        var signatureStart = token.LastIndexOf('.') + 1;
        var index = signatureStart + (token.Length - signatureStart) / 2;
        var chars = token.ToCharArray();
        chars[index] = chars[index] == 'A' ? 'B' : 'A';
        return new string(chars);
    }

    /// The payload re-encoded after <paramref name="change"/>, header and the original signature kept.
    public static string WithChangedPayload(string token, Action<JsonObject> change)
    {
        var parts = token.Split('.');
        var payload = PayloadOf(token);
        change(payload);
        return $"{parts[0]}.{Encode(payload)}.{parts[2]}";
    }

    /// A well-formed ES256 JWS signed with a key the server has never seen.
    public static string SignEs256(JsonObject header, JsonObject payload, ECDsa key)
    {
        var signingInput = $"{Encode(header)}.{Encode(payload)}";
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }

    public static string SignHs256(JsonObject header, JsonObject payload, byte[] secret)
    {
        var signingInput = $"{Encode(header)}.{Encode(payload)}";
        var signature = HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput));
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }

    /// RFC 7519 §6: an unsecured JWT, empty signature.
    public static string Unsecured(JsonObject header, JsonObject payload) => $"{Encode(header)}.{Encode(payload)}.";

    /// Verifies an ES256 signature against a public JWK from the server's JWKS.
    public static bool VerifyEs256(string token, JsonElement jwk)
    {
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint
            {
                X = Base64Url.DecodeFromChars(OAuthAssert.StringProperty(jwk, "x")),
                Y = Base64Url.DecodeFromChars(OAuthAssert.StringProperty(jwk, "y")),
            },
        });
        var lastDot = token.LastIndexOf('.');
        var signature = Base64Url.DecodeFromChars(token.AsSpan(lastDot + 1));
        return key.VerifyData(Encoding.ASCII.GetBytes(token[..lastDot]), signature, HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    static string Encode(JsonNode node) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(node.ToJsonString()));
}
