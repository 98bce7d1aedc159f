using System.Security.Cryptography;
using System.Text;
using Gatehouse.Server.Security;

namespace Gatehouse.Server.Clients;

/// SPEC 5: secrets are 256 random bits, so a keyed hash (HMAC-SHA-256) is enough; a slow KDF
/// would only cap the token endpoint. Without the root key a stolen database reveals nothing.
internal sealed class SecretHasher(RootKey root)
{
    public const int HashSize = 32;
    private readonly byte[] _key = root.Derive("client-secret-hash/v1");

    public byte[] Hash(string secret)
    {
        var hash = new byte[HashSize];
        Hash(secret, hash);
        return hash;
    }

    public void Hash(ReadOnlySpan<char> secret, Span<byte> destination)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(secret.Length);
        var buffer = maxBytes <= 512 ? stackalloc byte[512] : new byte[maxBytes];
        var length = Encoding.UTF8.GetBytes(secret, buffer);
        HMACSHA256.HashData(_key, buffer[..length], destination);
    }
}
