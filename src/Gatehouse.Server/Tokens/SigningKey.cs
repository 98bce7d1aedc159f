using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Server.Tokens;

/// A key of the ring with its private half decrypted. ES256 signs every token by default; the RSA key
/// exists because OIDC Discovery and RFC 9068 §2.1 require RS256 to be available.
internal sealed class SigningKey
{
    public SigningKey(string kid, string algorithm, AsymmetricAlgorithm privateKey,
        DateTimeOffset createdAt, DateTimeOffset activatesAt, DateTimeOffset? revokedAt)
    {
        Kid = kid;
        Algorithm = algorithm;
        CreatedAt = createdAt;
        ActivatesAt = activatesAt;
        RevokedAt = revokedAt;
        SecurityKey = privateKey switch
        {
            ECDsa ec => new ECDsaSecurityKey(ec) { KeyId = kid },
            RSA rsa => new RsaSecurityKey(rsa) { KeyId = kid },
            _ => throw new ArgumentException("Unsupported key type", nameof(privateKey)),
        };
        Credentials = new SigningCredentials(SecurityKey, algorithm) { CryptoProviderFactory = CryptoProviderFactory.Default };
        PublicJwk = ToPublicJwk(privateKey, kid, algorithm);
    }

    public string Kid { get; }
    public string Algorithm { get; }
    public DateTimeOffset CreatedAt { get; }
    public DateTimeOffset ActivatesAt { get; }
    public DateTimeOffset? RevokedAt { get; }
    public SecurityKey SecurityKey { get; }
    public SigningCredentials Credentials { get; }
    public JsonWebKey PublicJwk { get; }

    private static JsonWebKey ToPublicJwk(AsymmetricAlgorithm key, string kid, string algorithm)
    {
        JsonWebKey jwk;
        if (key is ECDsa ec)
        {
            var p = ec.ExportParameters(includePrivateParameters: false);
            jwk = new JsonWebKey
            {
                Kty = JsonWebAlgorithmsKeyTypes.EllipticCurve, Crv = JsonWebKeyECTypes.P256,
                X = Base64UrlEncoder.Encode(p.Q.X), Y = Base64UrlEncoder.Encode(p.Q.Y),
            };
        }
        else
        {
            var p = ((RSA)key).ExportParameters(includePrivateParameters: false);
            jwk = new JsonWebKey
            {
                Kty = JsonWebAlgorithmsKeyTypes.RSA,
                N = Base64UrlEncoder.Encode(p.Modulus), E = Base64UrlEncoder.Encode(p.Exponent),
            };
        }
        jwk.Kid = kid;
        jwk.Alg = algorithm;
        jwk.Use = JsonWebKeyUseNames.Sig;
        return jwk;
    }
}

internal static class SigningAlgorithms
{
    public const string ES256 = SecurityAlgorithms.EcdsaSha256;
    public const string RS256 = SecurityAlgorithms.RsaSha256;
    public static readonly string[] All = [ES256, RS256];
}
