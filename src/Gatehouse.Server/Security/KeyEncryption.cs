using System.Security.Cryptography;

namespace Gatehouse.Server.Security;

/// AES-256-GCM for private signing keys at rest. Layout: nonce(12) | tag(16) | ciphertext.
internal sealed class KeyEncryption(RootKey root)
{
    private readonly byte[] _key = root.Derive("signing-key-encryption/v1");

    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var output = new byte[12 + 16 + plaintext.Length];
        var nonce = output.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, 16);
        aes.Encrypt(nonce, plaintext, output.AsSpan(28), output.AsSpan(12, 16), associatedData);
        return output;
    }

    /// Throws CryptographicException when the data was encrypted under another root key or altered.
    public byte[] Decrypt(ReadOnlySpan<byte> sealedData, ReadOnlySpan<byte> associatedData)
    {
        var plaintext = new byte[sealedData.Length - 28];
        using var aes = new AesGcm(_key, 16);
        aes.Decrypt(sealedData[..12], sealedData[28..], sealedData.Slice(12, 16), plaintext, associatedData);
        return plaintext;
    }
}
