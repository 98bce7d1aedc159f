using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Server.Clients;

/// Client secrets and identifiers: cc_secret_{environment}_{43 base62 chars = 256 bits}{6 base62 chars of CRC32}.
/// The fixed prefix lets secret scanners find leaked secrets, the checksum lets them skip false positives
/// without asking us, and the environment in the prefix lets us say "wrong environment" instead of "wrong secret".
internal static class SecretFormat
{
    public const string SecretPrefix = "cc_secret_";
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const int EntropyChars = 43; // 62^43 > 2^256
    private const int ChecksumChars = 6; // 62^6 > 2^32

    public static string NewSecret(string environment)
    {
        var body = RandomBase62(EntropyChars);
        return $"{SecretPrefix}{environment}_{body}{Checksum(body)}";
    }

    public static string NewClientId(string prefix) => prefix + RandomBase62(22);

    public static string NewSecretId() => "sec_" + RandomBase62(16);

    /// A person's subject identifier (SPEC 8): usr_ + 22 base62 chars (131 bits), never reused.
    public static string NewUserSub() => UserSubPrefix + RandomBase62(22);

    public const string UserSubPrefix = "usr_";

    /// The environment a well-formed secret names, or null when it is not one of ours.
    public static string? EnvironmentOf(ReadOnlySpan<char> secret)
    {
        if (!secret.StartsWith(SecretPrefix)) return null;
        var rest = secret[SecretPrefix.Length..];
        var underscore = rest.IndexOf('_');
        if (underscore <= 0) return null;
        var body = rest[(underscore + 1)..];
        if (body.Length != EntropyChars + ChecksumChars) return null;
        var checksum = Checksum(body[..EntropyChars]);
        return body[EntropyChars..].SequenceEqual(checksum) ? rest[..underscore].ToString() : null;
    }

    private static string Checksum(ReadOnlySpan<char> body)
    {
        Span<byte> ascii = stackalloc byte[EntropyChars];
        var length = Encoding.ASCII.GetBytes(body, ascii);
        var crc = Crc32.HashToUInt32(ascii[..length]);
        Span<char> chars = stackalloc char[ChecksumChars];
        for (var i = ChecksumChars - 1; i >= 0; i--)
        {
            chars[i] = Base62[(int)(crc % 62)];
            crc /= 62;
        }
        return new string(chars);
    }

    private static string RandomBase62(int length) =>
        RandomNumberGenerator.GetString(Base62, length);
}
