using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Server.Grants;

/// The bearer values of sign-in: authorization codes, refresh tokens and session handles. Each is 256 random
/// bits with a recognisable prefix (secret scanners), and only its SHA-256 is stored: 256 random bits need
/// no slow or keyed hash to be safe in a stolen database.
internal static class GrantHandles
{
    public const string RefreshTokenPrefix = "ghrt_";
    public const string CodePrefix = "ghac_";
    public const string SessionPrefix = "ghs_";

    public static string NewCode() => CodePrefix + Random();
    public static string NewRefreshToken() => RefreshTokenPrefix + Random();
    public static string NewSessionHandle() => SessionPrefix + Random();

    public static bool LooksLikeRefreshToken(string value) => value.StartsWith(RefreshTokenPrefix, StringComparison.Ordinal);

    public static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    private static string Random() => Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    private static string Base64UrlEncode(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}

/// RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge. S256 only (SPEC 8).
internal static class Pkce
{
    /// §4.1: 43 to 128 unreserved characters.
    public static bool IsWellFormedVerifier(string verifier) =>
        verifier.Length is >= 43 and <= 128 && verifier.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');

    /// §4.2: a challenge is the base64url of a SHA-256, 43 characters.
    public static bool IsWellFormedChallenge(string challenge) =>
        challenge.Length == 43 && challenge.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// §4.2: S256, as a client computes it (the dashboard is one).
    public static string ChallengeOf(string verifier) => System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public static bool Matches(string verifier, string challenge)
    {
        if (!IsWellFormedVerifier(verifier)) return false;
        var computed = ChallengeOf(verifier);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(challenge));
    }
}
