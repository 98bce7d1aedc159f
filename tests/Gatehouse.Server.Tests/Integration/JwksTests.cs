using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration;

public sealed class JwksFixture : GatehouseFixture
{
    public CreatedClient Client { get; private set; } = null!;

    protected override async Task SeedAsync() => Client = await CreateClientAsync("jwks-tests");
}

/// SPEC 6; RFC 7517, RFC 7518 §6.
public sealed class JwksTests(JwksFixture fixture) : IClassFixture<JwksFixture>
{
    public static TheoryData<string> Paths => [OAuthPaths.Jwks, OAuthPaths.PartnerJwks];

    static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    async Task<JsonElement[]> GetKeysAsync(string path)
    {
        var response = await fixture.OAuth.GetAsync(path);
        OAuthAssert.Status(HttpStatusCode.OK, response);
        Assert.Contains(response.MediaType, new[] { "application/json", "application/jwk-set+json" });
        var keys = OAuthAssert.Property(response.Json, "keys");
        Assert.Equal(JsonValueKind.Array, keys.ValueKind);
        return keys.EnumerateArray().ToArray();
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Jwks_EcKeys_ArePublicP256Es256SigningKeys(string path)
    {
        var keys = await GetKeysAsync(path);

        var ecKeys = keys.Where(k => k.TryGetProperty("kty", out var kty) && kty.GetString() == "EC").ToArray();
        Assert.NotEmpty(ecKeys);
        foreach (var key in ecKeys)
        {
            OAuthAssert.StringProperty(key, "kid");
            Assert.Equal("P-256", OAuthAssert.StringProperty(key, "crv"));
            Assert.Equal("ES256", OAuthAssert.StringProperty(key, "alg"));
            Assert.Equal("sig", OAuthAssert.StringProperty(key, "use"));
            Assert.Equal(32, Base64Url.DecodeFromChars(OAuthAssert.StringProperty(key, "x")).Length);
            Assert.Equal(32, Base64Url.DecodeFromChars(OAuthAssert.StringProperty(key, "y")).Length);
            Assert.DoesNotContain(key.EnumerateObject(), member => PrivateMembers.Contains(member.Name));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Jwks_RsaKey_IsPublishedForRs256(string path)
    {
        var keys = await GetKeysAsync(path);

        var rsaKeys = keys.Where(k => k.TryGetProperty("kty", out var kty) && kty.GetString() == "RSA").ToArray();
        Assert.NotEmpty(rsaKeys);
        foreach (var key in rsaKeys)
        {
            OAuthAssert.StringProperty(key, "kid");
            Assert.Equal("RS256", OAuthAssert.StringProperty(key, "alg"));
            Assert.Equal("sig", OAuthAssert.StringProperty(key, "use"));
            Assert.True(Base64Url.DecodeFromChars(OAuthAssert.StringProperty(key, "n")).Length >= 256, "RSA modulus under 2048 bits");
            OAuthAssert.StringProperty(key, "e");
            Assert.DoesNotContain(key.EnumerateObject(), member => PrivateMembers.Contains(member.Name));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Jwks_Keys_HaveUniqueKidsAndNoSymmetricOrUnsecuredKeys(string path)
    {
        var keys = await GetKeysAsync(path);

        var kids = keys.Select(k => OAuthAssert.StringProperty(k, "kid")).ToArray();
        Assert.Equal(kids.Length, kids.Distinct().Count());
        foreach (var key in keys)
        {
            Assert.NotEqual("oct", OAuthAssert.StringProperty(key, "kty"));
            var alg = OAuthAssert.StringProperty(key, "alg");
            Assert.False(alg == "none" || alg.StartsWith("HS", StringComparison.Ordinal), $"Key advertises alg {alg}");
        }
    }

    [Fact]
    public async Task Jwks_BothPaths_ServeTheSameKeys()
    {
        var canonical = await GetKeysAsync(OAuthPaths.Jwks);
        var alias = await GetKeysAsync(OAuthPaths.PartnerJwks);

        Assert.Equal(
            canonical.Select(k => k.GetRawText()).Order(StringComparer.Ordinal),
            alias.Select(k => k.GetRawText()).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Jwks_TokenKid_IsInTheSetAndVerifiesTheSignature(string path)
    {
        var token = await fixture.OAuth.GetAccessTokenAsync(fixture.Client);
        var kid = TestJwt.Parse(token).Kid;

        var keys = await GetKeysAsync(path);

        var key = Assert.Single(keys, k => OAuthAssert.StringProperty(k, "kid") == kid);
        Assert.Equal("EC", OAuthAssert.StringProperty(key, "kty"));
        Assert.True(TestJwt.VerifyEs256(token, key), "The token's signature does not verify with the published key.");
    }
}
