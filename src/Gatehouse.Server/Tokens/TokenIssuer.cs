using System.Security.Cryptography;
using System.Text;
using Gatehouse.Server.Grants;
using Gatehouse.Server.Hosting;
using Gatehouse.Server.OAuth;
using Gatehouse.Server.Users;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Server.Tokens;

/// Mints RFC 9068 access tokens (JWTs with typ "at+jwt", signed ES256 by the ring's current key) and, for
/// sign-in grants, the ID token (OIDC Core §2) and the next refresh token.
internal sealed class TokenIssuer(SigningKeyService keys, IssuerUrl issuer, MintClock mintClock, IOptions<GatehouseOptions> options)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly TimeSpan _lifetime = options.Value.Tokens.AccessTokenLifetime;

    /// Null only when no key can sign (every one revoked and no successor yet): the caller answers 503.
    public IssuedToken? Issue(TokenGrant grant)
    {
        var signer = keys.Current.SignerFor(SigningAlgorithms.ES256);
        if (signer is null) return null;
        var issuedAtMicroseconds = mintClock.NextMicroseconds();
        var issuedAt = issuedAtMicroseconds / 1_000_000;
        var expiresIn = (int)_lifetime.TotalSeconds;
        var jti = NewJti();
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
                ["jti"] = jti,
            },
        };
        var accessToken = _handler.CreateToken(descriptor);
        var issued = new IssuedToken(accessToken, expiresIn, grant.Scope)
        {
            Jti = jti,
            ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(issuedAt + expiresIn),
        };
        if (grant.Person is not { } person) return issued;

        string? idToken = null;
        if (person.IssueIdToken)
        {
            var idSigner = keys.Current.SignerFor(grant.Client.IdTokenSignedResponseAlg);
            if (idSigner is null) return null;
            idToken = _handler.CreateToken(IdToken(grant, person, idSigner, accessToken, issuedAt, issuedAt + expiresIn));
        }
        string? refreshToken = person.IssueRefreshToken ? GrantHandles.NewRefreshToken() : null;
        return issued with
        {
            IdToken = idToken,
            RefreshToken = refreshToken,
            RefreshTokenHash = refreshToken is null ? null : GrantHandles.Hash(refreshToken),
        };
    }

    /// OIDC Core §2 and §3.1.3.6; the person's claims as the granted scopes release them (§5.4).
    private SecurityTokenDescriptor IdToken(TokenGrant grant, PersonGrant person, SigningKey signer, string accessToken, long issuedAt, long expiresAt)
    {
        var claims = new Dictionary<string, object>
        {
            ["iss"] = issuer.Value,
            ["sub"] = person.User.Sub,
            ["aud"] = grant.Client.ClientId,
            ["azp"] = grant.Client.ClientId,
            ["iat"] = issuedAt,
            ["exp"] = expiresAt,
            ["auth_time"] = person.Grant.AuthTime.ToUnixTimeSeconds(),
            ["at_hash"] = AtHash(accessToken),
            ["amr"] = Scopes.Split(person.Grant.Amr),
        };
        if (person.Grant.Sid is { } sid) claims["sid"] = sid;
        if (person.Nonce is { } nonce) claims["nonce"] = nonce;
        foreach (var (name, value) in PersonClaims.For(person.User, grant.Scope)) claims[name] = value;
        return new SecurityTokenDescriptor { TokenType = "JWT", SigningCredentials = signer.Credentials, Claims = claims };
    }

    /// OIDC Core §3.1.3.6: the left half of the SHA-256 of the access token (ES256 and RS256 both hash with SHA-256).
    private static string AtHash(string accessToken)
    {
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(accessToken));
        return Base64UrlEncoder.Encode(hash, 0, hash.Length / 2);
    }

    private static string NewJti()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return System.Buffers.Text.Base64Url.EncodeToString(bytes);
    }
}
