using System.Security.Cryptography;
using System.Text.Json;

namespace Gatehouse.Server.Tokens;

/// The keys in force at one moment, derived from all keys and the clock (SPEC 6):
/// - the signer of an algorithm is its newest activated, unrevoked key;
/// - a key not yet active is already published (pre-publication);
/// - a superseded key stays published until every token it signed has expired, then leaves;
/// - a revoked key leaves at once, and tokens it signed stop verifying.
internal sealed class KeyRing
{
    private readonly Dictionary<string, SigningKey> _verification;
    private readonly Dictionary<string, SigningKey> _signers;

    public KeyRing(IReadOnlyList<SigningKey> keys, DateTimeOffset now, TimeSpan retention)
    {
        _verification = new(StringComparer.Ordinal);
        _signers = new(StringComparer.Ordinal);
        var next = DateTimeOffset.MaxValue;
        foreach (var byAlgorithm in keys.Where(k => k.RevokedAt is null).GroupBy(k => k.Algorithm))
        {
            var ordered = byAlgorithm.OrderBy(k => k.ActivatesAt).ThenBy(k => k.CreatedAt).ToArray();
            for (var i = 0; i < ordered.Length; i++)
            {
                var key = ordered[i];
                var supersededAt = i + 1 < ordered.Length && ordered[i + 1].ActivatesAt <= now ? ordered[i + 1].ActivatesAt : (DateTimeOffset?)null;
                if (key.ActivatesAt > now)
                {
                    _verification[key.Kid] = key;                                  // pre-published
                    next = Min(next, key.ActivatesAt);
                }
                else if (supersededAt is null)
                {
                    _verification[key.Kid] = key;                                  // the signer
                    _signers[key.Algorithm] = key;
                }
                else if (supersededAt.Value + retention > now)
                {
                    _verification[key.Kid] = key;                                  // retired, tokens still live
                    next = Min(next, supersededAt.Value + retention);
                }
            }
        }
        NextTransition = next;
        Jwks = WriteJwks(_verification.Values.OrderBy(k => k.ActivatesAt));
        JwksEtag = "\"" + Convert.ToHexStringLower(SHA256.HashData(Jwks))[..32] + "\"";
    }

    /// When this ring stops being right (a key activates or a retired key leaves).
    public DateTimeOffset NextTransition { get; }

    /// The JWKS document, serialized once per ring.
    public byte[] Jwks { get; }
    public string JwksEtag { get; }

    public IEnumerable<SigningKey> Published => _verification.Values;

    public SigningKey? SignerFor(string algorithm) => _signers.GetValueOrDefault(algorithm);

    public SigningKey? FindVerificationKey(string? kid) =>
        kid is not null && _verification.TryGetValue(kid, out var key) ? key : null;

    /// RFC 7517 §5: public members only, written by hand so no private or empty member can slip in.
    private static byte[] WriteJwks(IEnumerable<SigningKey> keys)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("keys");
            foreach (var key in keys)
            {
                var jwk = key.PublicJwk;
                json.WriteStartObject();
                json.WriteString("kty", jwk.Kty);
                json.WriteString("use", jwk.Use);
                json.WriteString("alg", jwk.Alg);
                json.WriteString("kid", jwk.Kid);
                if (jwk.Kty == "EC")
                {
                    json.WriteString("crv", jwk.Crv);
                    json.WriteString("x", jwk.X);
                    json.WriteString("y", jwk.Y);
                }
                else
                {
                    json.WriteString("n", jwk.N);
                    json.WriteString("e", jwk.E);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
