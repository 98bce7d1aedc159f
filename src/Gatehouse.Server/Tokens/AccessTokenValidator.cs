using Gatehouse.Server.Clients;
using Gatehouse.Server.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Server.Tokens;

/// The facts of one of our own access tokens whose signature, issuer, type and lifetime checked out.
internal sealed record VerifiedAccessToken(
    string Jti, string ClientId, string Subject, string Scope, string Audience, string Issuer,
    long IssuedAt, long ExpiresAt, long IssuedAtMicroseconds, string Kid)
{
    public bool HasScope(string scope) => Scope.Split(' ').Contains(scope);
}

/// Verifies our access tokens against the key ring and decides whether they are still active.
internal sealed class AccessTokenValidator(SigningKeyService keys, IssuerUrl issuer, RevocationList revocations, ClientRegistry clients,
    TimeProvider clock)
{
    /// Resource servers introspect the same token again and again; checking its ES256 signature is most of
    /// the cost. A token string whose signature checked out is remembered until it expires (bounded).
    private const int VerifiedCacheLimit = 50_000; // ~200 bytes each: ~10 MB at most
    private readonly VerifiedTokenCache _verified = new(VerifiedCacheLimit);
    private readonly JsonWebTokenHandler _handler = new();
    private TokenValidationParameters? _parameters;

    /// Null for anything that is not a well-formed, correctly signed, unexpired token of ours.
    public async Task<VerifiedAccessToken?> VerifyAsync(string token)
    {
        if (token.Length > 8192) return null;
        var digest = Digest(token);
        if (_verified.TryGet(digest, out var known))
        {
            // Still unexpired, and its key not revoked since.
            if (known.ExpiresAt > clock.GetUtcNow().ToUnixTimeSeconds() && keys.Current.FindVerificationKey(known.Kid) is not null) return known;
            _verified.Remove(digest);
            return null;
        }
        var verified = await VerifyUncachedAsync(token);
        if (verified is not null) _verified.Add(digest, verified);
        return verified;
    }

    /// 128 bits of SHA-256: the cache holds no token, and a collision would need a second-preimage attack.
    private static UInt128 Digest(string token)
    {
        Span<byte> hash = stackalloc byte[32];
        var length = System.Text.Encoding.UTF8.GetByteCount(token);
        var utf8 = length <= 4096 ? stackalloc byte[4096] : new byte[length];
        System.Security.Cryptography.SHA256.HashData(utf8[..System.Text.Encoding.UTF8.GetBytes(token, utf8)], hash);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    private async Task<VerifiedAccessToken?> VerifyUncachedAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, _parameters ??= CreateParameters());
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt) return null;
        if (!jwt.TryGetPayloadValue<string>("jti", out var jti) || !jwt.TryGetPayloadValue<string>("client_id", out var clientId))
            return null;
        jwt.TryGetPayloadValue<string>("scope", out var scope);
        var issuedAt = jwt.GetPayloadValue<long>("iat");
        // Tokens carry iat_us; one without it counts as minted at the start of its iat second, so a
        // client-wide cut-off in that second revokes it (revoked if in doubt, as Gatehouse.ResourceServer does).
        var issuedAtMicroseconds = jwt.TryGetPayloadValue<long>("iat_us", out var us) ? us : issuedAt * 1_000_000;
        return new VerifiedAccessToken(jti, clientId, jwt.Subject, scope ?? "", jwt.Audiences.FirstOrDefault() ?? "",
            jwt.Issuer, issuedAt, jwt.GetPayloadValue<long>("exp"), issuedAtMicroseconds, jwt.Kid);
    }

    /// RFC 7662 §2.2: active means ours, unexpired, not revoked (alone or with all its client's tokens),
    /// and its client still exists.
    public async Task<VerifiedAccessToken?> FindActiveAsync(string token)
    {
        var verified = await VerifyAsync(token);
        if (verified is null || revocations.IsRevoked(verified.Jti)) return null;
        if (!clients.TryGet(verified.ClientId, out var client) || client.IsRevokedToken(verified.IssuedAtMicroseconds)) return null;
        return verified;
    }

    private TokenValidationParameters CreateParameters() => new()
    {
        ValidIssuer = issuer.Value,
        ValidateAudience = false, // introspection answers for every audience we issue
        ValidateLifetime = true,
        ClockSkew = TimeSpan.Zero, // an expired token is inactive, exactly at exp
        ValidTypes = ["at+jwt"],
        ValidAlgorithms = SigningAlgorithms.All, // never "none", never HMAC
        IssuerSigningKeyResolver = (_, _, kid, _) =>
            keys.Current.FindVerificationKey(kid) is { } key ? [key.SecurityKey] : [],
    };
}
