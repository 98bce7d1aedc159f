using System.Security.Cryptography;
using Gatehouse.Server.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Server.Tokens;

/// Mints RFC 9068 access tokens: JWTs with typ "at+jwt", signed ES256 by the ring's current key.
internal sealed class TokenIssuer(SigningKeyService keys, IssuerUrl issuer, MintClock mintClock, IOptions<GatehouseOptions> options)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly TimeSpan _lifetime = options.Value.Tokens.AccessTokenLifetime;

    /// Null only when no ES256 key can sign (every one revoked and no successor yet): the caller answers 503.
    public IssuedToken? Issue(TokenGrant grant)
    {
        var signer = keys.Current.SignerFor(SigningAlgorithms.ES256);
        if (signer is null) return null;
        var issuedAtMicroseconds = mintClock.NextMicroseconds();
        var issuedAt = issuedAtMicroseconds / 1_000_000;
        var expiresIn = (int)_lifetime.TotalSeconds;
        var descriptor = new SecurityTokenDescriptor
        {
            TokenType = "at+jwt",
            SigningCredentials = signer.Credentials,
            Claims = new Dictionary<string, object>(9)
            {
                ["iss"] = issuer.Value,
                ["sub"] = grant.Subject,
                ["aud"] = grant.Audience,
                ["client_id"] = grant.Client.ClientId,
                ["scope"] = grant.Scope,
                ["iat"] = issuedAt,
                ["iat_us"] = issuedAtMicroseconds,
                ["exp"] = issuedAt + expiresIn,
                ["jti"] = NewJti(),
            },
        };
        return new IssuedToken(_handler.CreateToken(descriptor), expiresIn, grant.Scope);
    }

    private static string NewJti()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return System.Buffers.Text.Base64Url.EncodeToString(bytes);
    }
}
