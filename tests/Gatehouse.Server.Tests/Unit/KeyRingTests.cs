using System.Security.Cryptography;
using System.Text.Json;
using Gatehouse.Server.Tokens;

namespace Gatehouse.Server.Tests.Unit;

public class KeyRingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    private static SigningKey Key(string kid, DateTimeOffset activatesAt, DateTimeOffset? revokedAt = null) =>
        new(kid, SigningAlgorithms.ES256, ECDsa.Create(ECCurve.NamedCurves.nistP256), activatesAt, activatesAt, revokedAt);

    [Fact]
    public void PendingKey_IsPublished_ButDoesNotSign()
    {
        var ring = new KeyRing([Key("old", T0), Key("new", T0.AddHours(24))], T0.AddHours(1), Retention);

        Assert.Equal("old", ring.SignerFor(SigningAlgorithms.ES256)!.Kid);
        Assert.NotNull(ring.FindVerificationKey("new"));
        Assert.Equal(T0.AddHours(24), ring.NextTransition);
    }

    [Fact]
    public void SupersededKey_StaysPublishedUntilItsLastTokenExpires_ThenLeaves()
    {
        SigningKey[] keys = [Key("old", T0), Key("new", T0.AddHours(24))];

        var justAfter = new KeyRing(keys, T0.AddHours(24).AddMinutes(59), Retention);
        var afterRetention = new KeyRing(keys, T0.AddHours(25), Retention);

        Assert.Equal("new", justAfter.SignerFor(SigningAlgorithms.ES256)!.Kid);
        Assert.NotNull(justAfter.FindVerificationKey("old"));
        Assert.Null(afterRetention.FindVerificationKey("old"));
        Assert.DoesNotContain("\"old\"", System.Text.Encoding.UTF8.GetString(afterRetention.Jwks));
    }

    [Fact]
    public void RevokedKey_LeavesAtOnce_AndThePreviousKeySignsAgain()
    {
        var ring = new KeyRing([Key("old", T0), Key("new", T0.AddHours(1), revokedAt: T0.AddHours(2))], T0.AddHours(2), Retention);

        Assert.Null(ring.FindVerificationKey("new"));
        Assert.Equal("old", ring.SignerFor(SigningAlgorithms.ES256)!.Kid);
    }

    [Fact]
    public void Jwks_HoldsOnlyPublicMembers()
    {
        var ring = new KeyRing([Key("k1", T0)], T0, Retention);

        using var jwks = JsonDocument.Parse(ring.Jwks);
        var key = Assert.Single(jwks.RootElement.GetProperty("keys").EnumerateArray());
        var members = key.EnumerateObject().Select(p => p.Name).Order().ToArray();
        Assert.Equal(["alg", "crv", "kid", "kty", "use", "x", "y"], members);
    }

    [Fact]
    public void Etag_ChangesWhenThePublishedSetChanges()
    {
        SigningKey[] keys = [Key("old", T0), Key("new", T0.AddHours(24))];

        var before = new KeyRing(keys, T0.AddHours(1), Retention);
        var later = new KeyRing(keys, T0.AddHours(2), Retention);
        var after = new KeyRing(keys, T0.AddHours(26), Retention);

        Assert.Equal(before.JwksEtag, later.JwksEtag);
        Assert.NotEqual(before.JwksEtag, after.JwksEtag);
    }
}
