using System.Net;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration;

public sealed class IntrospectionFixture : GatehouseFixture
{
    public CreatedClient Caller { get; private set; } = null!;
    public CreatedClient Other { get; private set; } = null!;

    protected override async Task SeedAsync()
    {
        Caller = await CreateClientAsync("introspection-caller");
        Other = await CreateClientAsync("introspection-other", scope: "decisions:read");
    }
}

/// SPEC 7; RFC 7662.
public sealed class IntrospectionTests(IntrospectionFixture fixture) : IClassFixture<IntrospectionFixture>
{
    public static TheoryData<string> IntrospectionPaths => [OAuthPaths.Introspect, OAuthPaths.PartnerIntrospect];

    OAuthTestClient OAuth => fixture.OAuth;

    [Theory]
    [MemberData(nameof(IntrospectionPaths))]
    public async Task Introspect_WithoutClientAuthentication_Returns401InvalidClient(string path)
    {
        var token = await OAuth.GetAccessTokenAsync(fixture.Caller);

        var response = await OAuth.PostFormAsync(path, [new("token", token)]);

        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", response);
        OAuthAssert.NoStore(response);
    }

    [Theory]
    [MemberData(nameof(IntrospectionPaths))]
    public async Task Introspect_WrongSecret_Returns401InvalidClient(string path)
    {
        var token = await OAuth.GetAccessTokenAsync(fixture.Caller);

        var response = await OAuth.IntrospectAsync(token, fixture.Caller.ClientId, fixture.Other.ClientSecret, path);

        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", response);
    }

    [Fact]
    public async Task Introspect_MissingTokenParameter_Returns400InvalidRequest()
    {
        var response = await OAuth.PostFormAsync(OAuthPaths.Introspect, [new("token_type_hint", "access_token")],
            OAuthTestClient.Basic(fixture.Caller.ClientId, fixture.Caller.ClientSecret));

        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_request", response);
    }

    [Theory]
    [MemberData(nameof(IntrospectionPaths))]
    public async Task Introspect_ActiveToken_ReturnsActiveWithTokenClaims(string path)
    {
        var token = await OAuth.GetAccessTokenAsync(fixture.Other, scope: "decisions:read");
        var claims = TestJwt.Parse(token).Payload;

        var response = await OAuth.IntrospectAsync(token, fixture.Caller, path);

        OAuthAssert.Active(response);
        var json = response.Json;
        OAuthAssert.SameScopes("decisions:read", OAuthAssert.StringProperty(json, "scope"));
        Assert.Equal(fixture.Other.ClientId, OAuthAssert.StringProperty(json, "client_id"));
        Assert.Equal("bearer", OAuthAssert.StringProperty(json, "token_type").ToLowerInvariant());
        Assert.Equal(OAuthAssert.NumberProperty(claims, "exp"), OAuthAssert.NumberProperty(json, "exp"));
        Assert.Equal(OAuthAssert.NumberProperty(claims, "iat"), OAuthAssert.NumberProperty(json, "iat"));
        Assert.Equal(fixture.Other.ClientId, OAuthAssert.StringProperty(json, "sub"));
        OAuthAssert.Audience("partner/v1", json);
        Assert.Equal(fixture.Server.Issuer, OAuthAssert.StringProperty(json, "iss"));
        Assert.Equal(OAuthAssert.StringProperty(claims, "jti"), OAuthAssert.StringProperty(json, "jti"));
    }

    [Fact]
    public async Task Introspect_ClientSecretPost_ReturnsActive()
    {
        var token = await OAuth.GetAccessTokenAsync(fixture.Caller);

        var response = await OAuth.PostFormAsync(OAuthPaths.Introspect,
        [
            new("token", token), new("client_id", fixture.Caller.ClientId), new("client_secret", fixture.Caller.ClientSecret),
        ]);

        OAuthAssert.Active(response);
        Assert.Equal(fixture.Caller.ClientId, OAuthAssert.StringProperty(response.Json, "client_id"));
    }

    [Theory]
    [MemberData(nameof(Forgeries.All), MemberType = typeof(Forgeries))]
    public async Task Introspect_UnusableToken_ReturnsOnlyActiveFalse(string forgery)
    {
        var real = await OAuth.GetAccessTokenAsync(fixture.Caller);
        var token = Forgeries.Build(forgery, real, await OAuth.GetPublicJwkAsync(TestJwt.Parse(real).Kid));

        var response = await OAuth.IntrospectAsync(token, fixture.Caller);

        OAuthAssert.Inactive(response);
    }

    [Fact]
    public async Task Introspect_ExpiredToken_BecomesInactive()
    {
        using var dataDirectory = new ScratchDirectory();
        var client = await GatehouseCli.CreateClientAsync(dataDirectory.Path, "short-lived", rateLimit: GatehouseFixture.UnthrottledRateLimit);
        await using var server = await GatehouseProcess.StartAsync(dataDirectory.Path, new Dictionary<string, string>
        {
            ["Gatehouse:Tokens:AccessTokenLifetime"] = "00:00:02",
        });
        var minted = await server.OAuth.RequestTokenBasicAsync(client);
        OAuthAssert.Status(HttpStatusCode.OK, minted);
        Assert.Equal(2, OAuthAssert.NumberProperty(minted.Json, "expires_in"));
        var token = minted.Text("access_token")!;
        var claims = TestJwt.Parse(token).Payload;
        Assert.Equal(OAuthAssert.NumberProperty(claims, "iat") + 2, OAuthAssert.NumberProperty(claims, "exp"));
        OAuthAssert.Active(await server.OAuth.IntrospectAsync(token, client));

        // Real time, not a fake clock: the server is another process. Expiry is at most ~3 s away
        // (whole-second exp); anything past 8 s means the server accepts expired tokens (e.g. a clock-skew allowance).
        var last = await Eventually.Within(TimeSpan.FromSeconds(8),
            () => server.OAuth.IntrospectAsync(token, client),
            response => response.Status == HttpStatusCode.OK && response.Json.TryGetProperty("active", out var active) && active.ValueKind == System.Text.Json.JsonValueKind.False,
            "an expired token introspects as inactive",
            interval: TimeSpan.FromMilliseconds(250));

        OAuthAssert.Inactive(last);
    }
}
