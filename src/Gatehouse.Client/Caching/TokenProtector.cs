using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gatehouse.Client.Caching;

/// Seals a token for a shared cache with AES-256-GCM. The key is derived (HKDF-SHA-256, RFC 5869) from
/// the client secret and the cache key: every instance of the same client can read it, nobody with only
/// the cache can, and an entry cannot be moved to another key. A rotated secret makes old entries unreadable,
/// which is a harmless miss.
internal sealed class TokenProtector
{
    private const byte Version = 1;
    private const int NonceSize = 12, TagSize = 16;
    private static readonly byte[] Salt = "Gatehouse.Client token cache v1"u8.ToArray();

    private readonly byte[] _key;
    private readonly byte[] _associatedData;

    public TokenProtector(string clientSecret, string cacheKey)
    {
        _associatedData = Encoding.UTF8.GetBytes(cacheKey);
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(clientSecret), 32, Salt, _associatedData);
    }

    public byte[] Protect(GatehouseToken token)
    {
        var plaintext = Serialize(token);
        var sealedBytes = new byte[1 + NonceSize + TagSize + plaintext.Length];
        sealedBytes[0] = Version;
        var nonce = sealedBytes.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(1 + NonceSize + TagSize), sealedBytes.AsSpan(1 + NonceSize, TagSize), _associatedData);
        CryptographicOperations.ZeroMemory(plaintext);
        return sealedBytes;
    }

    /// Null when the entry is not ours to read: another version, another secret, or tampered with.
    public GatehouseToken? Unprotect(byte[] sealedBytes)
    {
        if (sealedBytes.Length < 1 + NonceSize + TagSize || sealedBytes[0] != Version) return null;
        var plaintext = new byte[sealedBytes.Length - 1 - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(1, NonceSize), sealedBytes.AsSpan(1 + NonceSize + TagSize),
                sealedBytes.AsSpan(1 + NonceSize, TagSize), plaintext, _associatedData);
            return Deserialize(plaintext);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static byte[] Serialize(GatehouseToken token)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("access_token", token.AccessToken);
            if (token.Scope is not null) json.WriteString("scope", token.Scope);
            json.WriteNumber("issued_at", token.IssuedAt.ToUnixTimeMilliseconds());
            json.WriteNumber("expires_at", token.ExpiresAt.ToUnixTimeMilliseconds());
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static GatehouseToken? Deserialize(byte[] plaintext)
    {
        using var document = JsonDocument.Parse(plaintext);
        var root = document.RootElement;
        return new GatehouseToken(
            root.GetProperty("access_token").GetString()!,
            root.TryGetProperty("scope", out var scope) ? scope.GetString() : null,
            DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("issued_at").GetInt64()),
            DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("expires_at").GetInt64()));
    }
}
