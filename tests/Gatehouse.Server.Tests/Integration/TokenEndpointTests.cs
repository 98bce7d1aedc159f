using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration;

public sealed class TokenEndpointFixture : GatehouseFixture
{
    /// The default catalogue a client gets when created without --scope (contract notes).
    public const string DefaultClientScope =
        "applications:write applications:read decisions:read payments:write payments:read " +
        "identity:read accounts:read accounts:write webhooks:manage partner:manage";

    public const string NarrowScope = "applications:read decisions:read";

    public CreatedClient Full { get; private set; } = null!;
    public CreatedClient Narrow { get; private set; } = null!;
    public CreatedClient Internal { get; private set; } = null!;

    public CreatedClient ByName(string name) => name switch
    {
        "full" => Full,
        "narrow" => Narrow,
        "internal" => Internal,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    protected override async Task SeedAsync()
    {
        Full = await CreateClientAsync("token-full");
        Narrow = await CreateClientAsync("token-narrow", scope: NarrowScope);
        Internal = await CreateClientAsync("token-internal", audiences: ["internal/v1", "partner/v1"]);
    }
}

/// SPEC 4; seed 001 and 002; RFC 6749 §2.3.1, §3.2, §4.4, §5; RFC 8707; RFC 9068.
public sealed class TokenEndpointTests(TokenEndpointFixture fixture) : IClassFixture<TokenEndpointFixture>
{
    public static TheoryData<string> TokenPaths => [OAuthPaths.Token, OAuthPaths.PartnerToken];

    OAuthTestClient OAuth => fixture.OAuth;

    /// RFC 6749 §5.1 response, headers included; returns the access token taken apart.
    static TestJwt AssertTokenResponse(OAuthResponse response, string expectedScope)
    {
        OAuthAssert.Status(HttpStatusCode.OK, response);
        OAuthAssert.JsonBody(response);
        var json = response.Json;
        var accessToken = OAuthAssert.StringProperty(json, "access_token");
        Assert.Equal("Bearer", OAuthAssert.StringProperty(json, "token_type"));
        Assert.Equal(3600, OAuthAssert.NumberProperty(json, "expires_in"));
        OAuthAssert.SameScopes(expectedScope, OAuthAssert.StringProperty(json, "scope"));
        OAuthAssert.NoStore(response);
        OAuthAssert.PragmaNoCache(response);
        return TestJwt.Parse(accessToken);
    }

    /// Exactly what curl sends for <c>-d a -d b</c>: the -d values joined by '&amp;', not encoded any further.
    static HttpRequestMessage CurlStylePost(string path, params string[] dataArguments)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(string.Join('&', dataArguments)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Accept.ParseAdd("*/*");
        request.Headers.UserAgent.ParseAdd("curl/7.88.1");
        return request;
    }

    // ---- the seeds' curl commands, verbatim but for the host ----

    [Fact]
    public async Task Token_Seed001CurlCommand_Returns200()
    {
        // curl -s -X POST .../partner/v1/oauth/token -H 'Content-Type: application/x-www-form-urlencoded'
        //   -d grant_type=client_credentials -d client_id=$ID -d client_secret=$SECRET -d scope='applications:write decisions:read'
        var response = await OAuth.SendAsync(CurlStylePost(OAuthPaths.PartnerToken,
            "grant_type=client_credentials",
            $"client_id={fixture.Full.ClientId}",
            $"client_secret={fixture.Full.ClientSecret}",
            "scope=applications:write decisions:read"));

        AssertTokenResponse(response, "applications:write decisions:read");
    }

    [Fact]
    public async Task Token_Seed002CurlCommand_Returns200()
    {
        // curl -s .../oauth/token -d "grant_type=client_credentials" -d "client_id=$CC_CLIENT_ID"
        //   -d "client_secret=$CC_CLIENT_SECRET" -d "scope=applications:write decisions:read payments:write"
        var response = await OAuth.SendAsync(CurlStylePost(OAuthPaths.Token,
            "grant_type=client_credentials",
            $"client_id={fixture.Full.ClientId}",
            $"client_secret={fixture.Full.ClientSecret}",
            "scope=applications:write decisions:read payments:write"));

        AssertTokenResponse(response, "applications:write decisions:read payments:write");
    }

    // ---- client authentication ----

    [Theory]
    [MemberData(nameof(TokenPaths))]
    public async Task Token_ClientSecretBasic_Returns200WithBearerToken(string path)
    {
        var response = await OAuth.RequestTokenBasicAsync(fixture.Full, OAuthTestClient.ClientCredentialsForm("decisions:read"), path);

        AssertTokenResponse(response, "decisions:read");
    }

    [Theory]
    [MemberData(nameof(TokenPaths))]
    public async Task Token_ClientSecretPost_Returns200WithBearerToken(string path)
    {
        var response = await OAuth.RequestTokenPostAsync(fixture.Full.ClientId, fixture.Full.ClientSecret,
            OAuthTestClient.ClientCredentialsForm("decisions:read"), path);

        AssertTokenResponse(response, "decisions:read");
    }

    [Fact]
    public async Task Token_ClientSecretBasicWithPercentEncodedCredentials_IsFormDecoded()
    {
        // RFC 6749 §2.3.1: id and secret are form-url-encoded before Base64; '_' as %5F must decode back.
        static string EncodeUnderscores(string value) => value.Replace("_", "%5F", StringComparison.Ordinal);
        var request = new HttpRequestMessage(HttpMethod.Post, OAuthPaths.Token)
        {
            Content = new FormUrlEncodedContent(OAuthTestClient.ClientCredentialsForm()),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $"{EncodeUnderscores(fixture.Full.ClientId)}:{EncodeUnderscores(fixture.Full.ClientSecret)}")));

        var response = await OAuth.SendAsync(request);

        var jwt = AssertTokenResponse(response, TokenEndpointFixture.DefaultClientScope);
        Assert.Equal(fixture.Full.ClientId, OAuthAssert.StringProperty(jwt.Payload, "client_id"));
    }

    // ---- the access token (RFC 9068) ----

    [Theory]
    [MemberData(nameof(TokenPaths))]
    public async Task Token_AccessToken_IsEs256AtJwtSignedByAPublishedKey(string path)
    {
        var response = await OAuth.RequestTokenBasicAsync(fixture.Full, path: path);
        var jwt = AssertTokenResponse(response, TokenEndpointFixture.DefaultClientScope);

        Assert.Equal("ES256", OAuthAssert.StringProperty(jwt.Header, "alg"));
        Assert.Equal("at+jwt", OAuthAssert.StringProperty(jwt.Header, "typ"));
        var jwks = (await OAuth.GetAsync(OAuthPaths.Jwks)).Json;
        var key = Assert.Single(OAuthAssert.Property(jwks, "keys").EnumerateArray(), k => k.GetProperty("kid").GetString() == jwt.Kid);
        Assert.True(TestJwt.VerifyEs256(jwt.Raw, key), "Signature does not verify with the JWKS key named by kid.");
    }

    [Fact]
    public async Task Token_AccessToken_CarriesRfc9068Claims()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var response = await OAuth.RequestTokenBasicAsync(fixture.Full, OAuthTestClient.ClientCredentialsForm("applications:write decisions:read"));
        var after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var claims = AssertTokenResponse(response, "applications:write decisions:read").Payload;
        Assert.Equal(fixture.Server.Issuer, OAuthAssert.StringProperty(claims, "iss"));
        Assert.Equal(fixture.Full.ClientId, OAuthAssert.StringProperty(claims, "sub"));
        Assert.Equal(fixture.Full.ClientId, OAuthAssert.StringProperty(claims, "client_id"));
        OAuthAssert.Audience("partner/v1", claims);
        OAuthAssert.SameScopes("applications:write decisions:read", OAuthAssert.StringProperty(claims, "scope"));
        var iat = OAuthAssert.NumberProperty(claims, "iat");
        Assert.InRange(iat, before - 5, after + 5);
        Assert.Equal(iat + 3600, OAuthAssert.NumberProperty(claims, "exp"));
        OAuthAssert.StringProperty(claims, "jti");
    }

    [Fact]
    public async Task Token_TwoRequests_GetDistinctJti()
    {
        var first = TestJwt.Parse(await OAuth.GetAccessTokenAsync(fixture.Full));
        var second = TestJwt.Parse(await OAuth.GetAccessTokenAsync(fixture.Full));

        Assert.NotEqual(OAuthAssert.StringProperty(first.Payload, "jti"), OAuthAssert.StringProperty(second.Payload, "jti"));
    }

    // ---- scope ----

    [Theory]
    [InlineData("full", TokenEndpointFixture.DefaultClientScope)]
    [InlineData("narrow", TokenEndpointFixture.NarrowScope)]
    public async Task Token_ScopeOmitted_GrantsTheClientsFullGrantedSet(string client, string expectedScope)
    {
        var response = await OAuth.RequestTokenBasicAsync(fixture.ByName(client));

        var jwt = AssertTokenResponse(response, expectedScope);
        OAuthAssert.SameScopes(expectedScope, OAuthAssert.StringProperty(jwt.Payload, "scope"));
    }

    [Theory]
    [InlineData("full", "decisions:read")]
    [InlineData("full", "payments:read accounts:read")]
    [InlineData("narrow", "applications:read")]
    public async Task Token_NarrowerScope_GrantsExactlyTheRequestedScopes(string client, string scope)
    {
        var response = await OAuth.RequestTokenBasicAsync(fixture.ByName(client), OAuthTestClient.ClientCredentialsForm(scope));

        var jwt = AssertTokenResponse(response, scope);
        OAuthAssert.SameScopes(scope, OAuthAssert.StringProperty(jwt.Payload, "scope"));
    }

    [Theory]
    [InlineData("narrow", "payments:write")]
    [InlineData("narrow", "decisions:read payments:write")]
    [InlineData("full", "no-such:scope")]
    [InlineData("full", "clients:manage")]
    public async Task Token_ScopeNotGranted_Returns400InvalidScope(string client, string scope)
    {
        var response = await OAuth.RequestTokenBasicAsync(fixture.ByName(client), OAuthTestClient.ClientCredentialsForm(scope));

        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_scope", response);
    }

    // ---- audience / resource (RFC 8707) ----

    [Theory]
    [InlineData("audience", "internal/v1")]
    [InlineData("resource", "internal/v1")]
    [InlineData("audience", "unknown/v9")]
    [InlineData("resource", "unknown/v9")]
    public async Task Token_AudienceNotProvisioned_Returns400InvalidTarget(string parameter, string value)
    {
        var form = OAuthTestClient.ClientCredentialsForm().Append(new(parameter, value));

        var response = await OAuth.RequestTokenBasicAsync(fixture.Full, form);

        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_target", response);
    }

    [Theory]
    [InlineData("audience", "internal/v1")]
    [InlineData("resource", "internal/v1")]
    [InlineData("audience", "partner/v1")]
    [InlineData("resource", "partner/v1")]
    public async Task Token_AudienceProvisioned_IssuesTokenForThatAudience(string parameter, string value)
    {
        var form = OAuthTestClient.ClientCredentialsForm("decisions:read").Append(new(parameter, value));

        var response = await OAuth.RequestTokenBasicAsync(fixture.Internal, form);

        var jwt = AssertTokenResponse(response, "decisions:read");
        OAuthAssert.Audience(value, jwt.Payload);
    }

    [Fact]
    public async Task Token_AudienceOmitted_DefaultsToPartnerV1()
    {
        var response = await OAuth.RequestTokenBasicAsync(fixture.Internal, OAuthTestClient.ClientCredentialsForm("decisions:read"));

        OAuthAssert.Audience("partner/v1", AssertTokenResponse(response, "decisions:read").Payload);
    }

    // ---- malformed requests: 400 invalid_request (RFC 6749 §3.2, §5.2) ----

    public static TheoryData<string> MalformedRequests =>
    [
        "grant_type missing",
        "grant_type repeated",
        "scope repeated",
        "client_id repeated",
        "credentials in Basic and body",
        "JSON body",
        "text/plain body",
        "oversized body",
    ];

    HttpRequestMessage BuildMalformed(string kind)
    {
        var client = fixture.Full;
        var basic = OAuthTestClient.Basic(client.ClientId, client.ClientSecret);
        KeyValuePair<string, string> P(string name, string value) => new(name, value);
        HttpRequestMessage Form(bool useBasic, params KeyValuePair<string, string>[] form)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, OAuthPaths.Token) { Content = new FormUrlEncodedContent(form) };
            if (useBasic) request.Headers.Authorization = basic;
            return request;
        }
        HttpRequestMessage Raw(string mediaType, string body)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            var request = new HttpRequestMessage(HttpMethod.Post, OAuthPaths.Token) { Content = content };
            request.Headers.Authorization = basic;
            return request;
        }

        return kind switch
        {
            "grant_type missing" => Form(true, P("scope", "decisions:read")),
            "grant_type repeated" => Form(true, P("grant_type", "client_credentials"), P("grant_type", "client_credentials")),
            "scope repeated" => Form(true, P("grant_type", "client_credentials"), P("scope", "decisions:read"), P("scope", "payments:read")),
            "client_id repeated" => Form(false, P("grant_type", "client_credentials"), P("client_id", client.ClientId),
                P("client_id", client.ClientId), P("client_secret", client.ClientSecret)),
            "credentials in Basic and body" => Form(true, P("grant_type", "client_credentials"),
                P("client_id", client.ClientId), P("client_secret", client.ClientSecret)),
            "JSON body" => Raw("application/json", """{"grant_type":"client_credentials"}"""),
            "text/plain body" => Raw("text/plain", "grant_type=client_credentials"),
            // SPEC 4: "bounded size". A token request is a few hundred bytes; 256 KiB is far past any sane bound.
            "oversized body" => Form(true, P("grant_type", "client_credentials"), P("padding", new string('a', 256 * 1024))),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public async Task Token_MalformedRequest_Returns400InvalidRequest(string kind)
    {
        var response = await OAuth.SendAsync(BuildMalformed(kind));

        OAuthAssert.Error(HttpStatusCode.BadRequest, "invalid_request", response);
    }

    // ---- failed client authentication: 401 invalid_client ----

    public static TheoryData<string, bool> BadCredentials => new()
    {
        { "unknown client", true },
        { "unknown client", false },
        { "altered secret", true },
        { "altered secret", false },
        { "another client's secret", true },
        { "another client's secret", false },
        { "empty secret", true },
        { "empty secret", false },
    };

    [Theory]
    [MemberData(nameof(BadCredentials))]
    public async Task Token_BadClientCredentials_Returns401InvalidClient(string kind, bool useBasic)
    {
        var (clientId, secret) = kind switch
        {
            "unknown client" => ("cc_client_DoesNotExist0000000000", fixture.Full.ClientSecret),
            "altered secret" => (fixture.Full.ClientId, Alter(fixture.Full.ClientSecret)),
            "another client's secret" => (fixture.Full.ClientId, fixture.Narrow.ClientSecret),
            "empty secret" => (fixture.Full.ClientId, ""),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var response = useBasic
            ? await OAuth.RequestTokenBasicAsync(clientId, secret)
            : await OAuth.RequestTokenPostAsync(clientId, secret);

        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", response);
        if (useBasic) AssertBasicChallenge(response);
    }

    [Fact]
    public async Task Token_NoClientCredentials_Returns401InvalidClient()
    {
        var response = await OAuth.PostFormAsync(OAuthPaths.Token, OAuthTestClient.ClientCredentialsForm());

        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", response);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Token_SecretOfTheOtherEnvironment_Returns401InvalidClientSayingSo(bool useBasic)
    {
        // The fixture server runs in the default sandbox environment; the same secret body with the live prefix.
        Assert.StartsWith("cc_secret_sandbox_", fixture.Full.ClientSecret);
        var liveSecret = "cc_secret_live_" + fixture.Full.ClientSecret["cc_secret_sandbox_".Length..];

        var response = useBasic
            ? await OAuth.RequestTokenBasicAsync(fixture.Full.ClientId, liveSecret)
            : await OAuth.RequestTokenPostAsync(fixture.Full.ClientId, liveSecret);

        OAuthAssert.Error(HttpStatusCode.Unauthorized, "invalid_client", response);
        var description = response.Text("error_description") ?? "";
        Assert.True(description.Contains("sandbox", StringComparison.OrdinalIgnoreCase)
                    && description.Contains("live", StringComparison.OrdinalIgnoreCase),
            $"error_description should say the secret is for live while this is sandbox:\n{response}");
        if (useBasic) AssertBasicChallenge(response);
    }

    // ---- grant type ----

    [Theory]
    [InlineData("password")]
    [InlineData("urn:ietf:params:oauth:grant-type:device_code")]
    [InlineData("client_credential")]
    public async Task Token_UnsupportedGrantType_Returns400UnsupportedGrantType(string grantType)
    {
        var response = await OAuth.RequestTokenBasicAsync(fixture.Full, [new("grant_type", grantType)]);

        OAuthAssert.Error(HttpStatusCode.BadRequest, "unsupported_grant_type", response);
    }

    // ---- secrets never reach the logs (SPEC 5) ----

    [Fact]
    public async Task Token_ServerLogs_NeverContainSecrets()
    {
        const string wrongSecret = "cc_secret_sandbox_ThisWrongSecretMustNotBeLogged0000000000000";
        await OAuth.GetAccessTokenAsync(fixture.Full);
        await OAuth.RequestTokenBasicAsync(fixture.Full.ClientId, wrongSecret);
        await OAuth.RequestTokenPostAsync(fixture.Full.ClientId, wrongSecret);
        await Task.Delay(500); // the console logger writes from a background queue

        var logs = fixture.Server.Logs;

        Assert.False(string.IsNullOrWhiteSpace(logs), "The harness captured no server output at all.");
        foreach (var secret in new[] { fixture.Full.ClientSecret, fixture.Narrow.ClientSecret, fixture.Internal.ClientSecret, wrongSecret })
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
    }

    static string Alter(string secret)
    {
        var chars = secret.ToCharArray();
        var index = chars.Length / 2;
        chars[index] = chars[index] == 'A' ? 'B' : 'A';
        return new string(chars);
    }

    static void AssertBasicChallenge(OAuthResponse response) =>
        Assert.True(response.Headers.WwwAuthenticate.Any(c => c.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)),
            $"Expected WWW-Authenticate: Basic after a failed Basic authentication:\n{response}");
}
