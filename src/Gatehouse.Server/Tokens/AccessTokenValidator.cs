using Gatehouse.Server.Clients;
using Gatehouse.Server.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Server.Tokens;

/// The facts of one of our own access tokens whose signature, issuer, type and lifetime checked out.
internal sealed record VerifiedAccessToken(
    string Jti, string ClientId, string Subject, string Scope, string Audience, string Issuer,
    long IssuedAt, long ExpiresAt);

/// Verifies our access tokens against the key ring and decides whether they are still active.
internal sealed class AccessTokenValidator(SigningKeyService keys, IssuerUrl issuer, RevocationList revocations, ClientRegistry clients)
{
    private readonly JsonWebTokenHandler _handler = new();
    private TokenValidationParameters? _parameters;

    /// Null for anything that is not a well-formed, correctly signed, unexpired token of ours.
    public async Task<VerifiedAccessToken?> VerifyAsync(string token)
    {
        if (token.Length > 8192) return null;
        var result = await _handler.ValidateTokenAsync(token, _parameters ??= CreateParameters());
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt) return null;
        if (!jwt.TryGetPayloadValue<string>("jti", out var jti) || !jwt.TryGetPayloadValue<string>("client_id", out var clientId))
            return null;
        jwt.TryGetPayloadValue<string>("scope", out var scope);
        return new VerifiedAccessToken(jti, clientId, jwt.Subject, scope ?? "", jwt.Audiences.FirstOrDefault() ?? "",
            jwt.Issuer, jwt.GetPayloadValue<long>("iat"), jwt.GetPayloadValue<long>("exp"));
    }

    /// RFC 7662 §2.2: active means ours, unexpired, not revoked, and its client still exists.
    public async Task<VerifiedAccessToken?> FindActiveAsync(string token)
    {
        var verified = await VerifyAsync(token);
        if (verified is null || revocations.IsRevoked(verified.Jti) || !clients.TryGet(verified.ClientId, out _)) return null;
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
