using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration;

public sealed class DiscoveryFixture : GatehouseFixture
{
    /// Deliberately not the address the server listens on: the issuer must come from configuration.
    public const string ConfiguredIssuer = "https://sso.gatehouse.test";

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Gatehouse:Issuer"] = ConfiguredIssuer,
    };
}

/// SPEC 3; RFC 8414 and OpenID Connect Discovery 1.0.
public sealed class DiscoveryTests(DiscoveryFixture fixture) : IClassFixture<DiscoveryFixture>
{
    const string Issuer = DiscoveryFixture.ConfiguredIssuer;

    public static TheoryData<string> Documents => [OAuthPaths.AuthorizationServerMetadata, OAuthPaths.OpenIdConfiguration];

    static readonly string[] SeedScopes =
    [
        "applications:write", "applications:read", "decisions:read", "payments:write", "payments:read",
        "identity:read", "accounts:read", "accounts:write", "webhooks:manage", "partner:manage",
        "openid", "profile", "email",
    ];

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Discovery_Document_CarriesEveryRequiredField(string path)
    {
        var response = await fixture.OAuth.GetAsync(path);

        OAuthAssert.Status(HttpStatusCode.OK, response);
        Assert.Equal("application/json", response.MediaType);
        var json = response.Json;
        Assert.Equal(Issuer, OAuthAssert.StringProperty(json, "issuer"));
        foreach (var endpoint in new[]
                 {
                     "token_endpoint", "jwks_uri", "introspection_endpoint", "revocation_endpoint",
                     "authorization_endpoint", "userinfo_endpoint", "service_documentation",
                 })
        {
            Assert.True(Uri.IsWellFormedUriString(OAuthAssert.StringProperty(json, endpoint), UriKind.Absolute),
                $"{endpoint} is not an absolute URI in:\n{json}");
        }

        OAuthAssert.ContainsAll(["client_credentials", "authorization_code", "refresh_token"], json, "grant_types_supported");
        Assert.Contains("code", OAuthAssert.StringArray(json, "response_types_supported"));
        OAuthAssert.ContainsAll(SeedScopes, json, "scopes_supported");
        OAuthAssert.ContainsAll(["client_secret_basic", "client_secret_post", "none"], json, "token_endpoint_auth_methods_supported");
        OAuthAssert.ContainsAll(["client_secret_basic", "client_secret_post"], json, "introspection_endpoint_auth_methods_supported");
        OAuthAssert.ContainsAll(["client_secret_basic", "client_secret_post"], json, "revocation_endpoint_auth_methods_supported");
        Assert.Equal(["S256"], OAuthAssert.StringArray(json, "code_challenge_methods_supported"));

        // OpenID Connect Discovery §3: RS256 MUST be listed; SPEC 6: ES256 is the default; never none or HMAC.
        var idTokenAlgs = OAuthAssert.StringArray(json, "id_token_signing_alg_values_supported");
        Assert.Contains("ES256", idTokenAlgs);
        Assert.Contains("RS256", idTokenAlgs);
        Assert.DoesNotContain(idTokenAlgs, alg => alg == "none" || alg.StartsWith("HS", StringComparison.Ordinal));

        Assert.Contains("public", OAuthAssert.StringArray(json, "subject_types_supported"));
        OAuthAssert.ContainsAll(["iss", "sub"], json, "claims_supported");
        Assert.Equal(JsonValueKind.True, OAuthAssert.Property(json, "authorization_response_iss_parameter_supported").ValueKind);
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Discovery_Endpoints_PointAtTheIssuer(string path)
    {
        var json = (await fixture.OAuth.GetAsync(path)).Json;

        Assert.Equal(Issuer + "/oauth/token", OAuthAssert.StringProperty(json, "token_endpoint"));
        Assert.Equal(Issuer + "/.well-known/jwks.json", OAuthAssert.StringProperty(json, "jwks_uri"));
        Assert.Equal(Issuer + "/oauth/introspect", OAuthAssert.StringProperty(json, "introspection_endpoint"));
        Assert.Equal(Issuer + "/oauth/revoke", OAuthAssert.StringProperty(json, "revocation_endpoint"));
        Assert.Equal(Issuer + "/oauth/authorize", OAuthAssert.StringProperty(json, "authorization_endpoint"));
        Assert.Equal(Issuer + "/public/v1/userinfo", OAuthAssert.StringProperty(json, "userinfo_endpoint"));
    }

    [Fact]
    public async Task Discovery_BothDocuments_AgreeOnSharedFacts()
    {
        var oauth = (await fixture.OAuth.GetAsync(OAuthPaths.AuthorizationServerMetadata)).Json;
        var oidc = (await fixture.OAuth.GetAsync(OAuthPaths.OpenIdConfiguration)).Json;

        foreach (var field in new[] { "issuer", "token_endpoint", "jwks_uri", "introspection_endpoint", "revocation_endpoint", "authorization_endpoint" })
            Assert.Equal(OAuthAssert.StringProperty(oauth, field), OAuthAssert.StringProperty(oidc, field));
        Assert.Equal(OAuthAssert.StringArray(oauth, "scopes_supported").Order(), OAuthAssert.StringArray(oidc, "scopes_supported").Order());
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Discovery_SpoofedForwardedHeaders_IssuerStillFromConfiguration(string path)
    {
        var response = await fixture.OAuth.GetAsync(path, request =>
        {
            request.Headers.Add("X-Forwarded-Host", "evil.example");
            request.Headers.Add("X-Forwarded-Proto", "https");
            request.Headers.Add("X-Forwarded-Prefix", "/evil");
            request.Headers.Add("Forwarded", "host=evil.example;proto=https");
        });

        OAuthAssert.Status(HttpStatusCode.OK, response);
        Assert.Equal(Issuer, OAuthAssert.StringProperty(response.Json, "issuer"));
        Assert.DoesNotContain("evil", response.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Discovery_SpoofedHostHeader_IssuerStillFromConfiguration(string path)
    {
        var response = await fixture.OAuth.GetAsync(path, request => request.Headers.Host = "evil.example");

        // Host filtering (400) is an acceptable answer too; echoing the Host is not.
        Assert.DoesNotContain("evil", response.Body, StringComparison.OrdinalIgnoreCase);
        if (response.Status == HttpStatusCode.BadRequest) return;
        OAuthAssert.Status(HttpStatusCode.OK, response);
        Assert.Equal(Issuer, OAuthAssert.StringProperty(response.Json, "issuer"));
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Discovery_Response_IsPubliclyCacheableWithETag(string path)
    {
        var response = await fixture.OAuth.GetAsync(path);

        OAuthAssert.Status(HttpStatusCode.OK, response);
        var cacheControl = response.Headers.CacheControl;
        Assert.True(cacheControl is { Public: true, MaxAge: { } maxAge } && maxAge > TimeSpan.Zero,
            $"Expected Cache-Control: public, max-age=N>0, got:\n{response}");
        Assert.False(cacheControl!.NoStore, $"Discovery must be cacheable:\n{response}");
        Assert.True(response.Headers.ETag is not null, $"Expected an ETag:\n{response}");
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Discovery_IfNoneMatchWithCurrentETag_Returns304(string path)
    {
        var first = await fixture.OAuth.GetAsync(path);
        var etag = first.Headers.ETag ?? throw new Xunit.Sdk.XunitException($"No ETag:\n{first}");

        var second = await fixture.OAuth.GetAsync(path, request => request.Headers.IfNoneMatch.Add(etag));

        OAuthAssert.Status(HttpStatusCode.NotModified, second);
        Assert.Equal("", second.Body);
        Assert.Equal(etag, second.Headers.ETag); // RFC 9110 §15.4.5: a 304 repeats the ETag
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Discovery_IfNoneMatchWithOtherETag_Returns200(string path)
    {
        var response = await fixture.OAuth.GetAsync(path,
            request => request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"not-the-current-etag\"")));

        OAuthAssert.Status(HttpStatusCode.OK, response);
        Assert.Equal(Issuer, OAuthAssert.StringProperty(response.Json, "issuer"));
    }

    [Fact]
    public async Task Discovery_NoIssuerConfigured_IssuerIsTheBoundUrl()
    {
        await using var server = await GatehouseProcess.StartAsync(configureIssuer: false);

        var response = await server.OAuth.GetAsync(OAuthPaths.AuthorizationServerMetadata);

        OAuthAssert.Status(HttpStatusCode.OK, response);
        Assert.Equal(server.BaseAddress, OAuthAssert.StringProperty(response.Json, "issuer"));
        Assert.Equal(server.BaseAddress + "/oauth/token", OAuthAssert.StringProperty(response.Json, "token_endpoint"));
    }

    [Theory]
    [InlineData(OAuthPaths.AuthorizationServerMetadata)]
    [InlineData(OAuthPaths.OpenIdConfiguration)]
    [InlineData(OAuthPaths.Jwks)]
    public async Task Metadata_Head_Returns200WithHeadersAndNoBody(string path)
    {
        var response = await fixture.OAuth.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        OAuthAssert.Status(HttpStatusCode.OK, response);
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal("", response.Body);
    }
}
