using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Gatehouse.Server.Tests.Harness;

/// <summary>
/// Tokens that must never be accepted, each built from a real token of the server under test so
/// that only one thing is wrong with it. Shared by the introspection and the JwtBearer interop tests.
/// </summary>
public static class Forgeries
{
    public const string Garbage = "garbage";
    public const string ThreeGarbageSegments = "three garbage segments";
    public const string FlippedSignatureCharacter = "flipped signature character";
    public const string ChangedPayload = "changed payload";
    public const string ForeignKeyOwnKid = "foreign key, own kid";
    public const string ForeignKeyServersKid = "foreign key, the server's kid";
    public const string AlgNone = "alg none";
    public const string Hs256WithPublicKey = "HS256 keyed with the server's public key";

    public static TheoryData<string> All =>
    [
        Garbage, ThreeGarbageSegments, FlippedSignatureCharacter, ChangedPayload,
        ForeignKeyOwnKid, ForeignKeyServersKid, AlgNone, Hs256WithPublicKey,
    ];

    /// <param name="publicJwk">The server's public JWK (raw JSON) that signed <paramref name="realToken"/>; the HMAC forgery uses it as its secret.</param>
    public static string Build(string kind, string realToken, string publicJwk)
    {
        var header = TestJwt.HeaderOf(realToken);
        var payload = TestJwt.PayloadOf(realToken);
        payload["jti"] = Guid.NewGuid().ToString("N");
        using var foreignKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        return kind switch
        {
            Garbage => "not-a-token",
            ThreeGarbageSegments => "eyJub3Qi.eyJhIGp3dCJ9.c2lnbmF0dXJl",
            FlippedSignatureCharacter => TestJwt.WithFlippedSignatureCharacter(realToken),
            ChangedPayload => TestJwt.WithChangedPayload(realToken, claims => claims["scope"] = "partner:manage webhooks:manage"),
            ForeignKeyOwnKid => TestJwt.SignEs256(new JsonObject { ["alg"] = "ES256", ["typ"] = "at+jwt", ["kid"] = "attacker-key" }, payload, foreignKey),
            ForeignKeyServersKid => TestJwt.SignEs256(header, payload, foreignKey),
            AlgNone => TestJwt.Unsecured(new JsonObject { ["alg"] = "none", ["typ"] = "at+jwt", ["kid"] = header["kid"]?.GetValue<string>() }, payload),
            Hs256WithPublicKey => TestJwt.SignHs256(
                new JsonObject { ["alg"] = "HS256", ["typ"] = "at+jwt", ["kid"] = header["kid"]?.GetValue<string>() },
                payload, Encoding.UTF8.GetBytes(publicJwk)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }
}
