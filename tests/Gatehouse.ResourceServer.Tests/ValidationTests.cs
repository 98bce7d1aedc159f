using System.Net;
using System.Text.Json;
using Gatehouse.Testing;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.ResourceServer.Tests;

public sealed class ValidationFixture : GatehouseFixture
{
    public CreatedClient Partner { get; private set; } = null!;       // every partner scope
    public CreatedClient Reader { get; private set; } = null!;        // decisions:read only
    public CreatedClient Internal { get; private set; } = null!;      // provisioned for internal/v1
    public LoopbackApi Api { get; private set; } = null!;
    public RecordingHandler Backchannel { get; } = new();

    protected override async Task SeedAsync()
    {
        Partner = await CreateClientAsync("partner");
        Reader = await CreateClientAsync("reader", scope: "decisions:read");
        Internal = await CreateClientAsync("internal", scope: "decisions:read", audience: "internal/v1");
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Api = await ProtectedApi.StartAsync(Server, o =>
        {
            o.BackchannelHttpHandler = Backchannel;
            o.FollowRevocations = false;
            o.UnknownKeyRefreshInterval = TimeSpan.FromMinutes(5);
        });
    }

    public override async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await base.DisposeAsync();
    }
}

/// JWT validation configured from discovery, RequireScope, and the three challenge shapes (RFC 6750 §3, RFC 9728 §5.1, seed 002).
public sealed class ValidationTests(ValidationFixture fixture) : IClassFixture<ValidationFixture>
{
    private string MetadataUrl => fixture.Api.BaseAddress.TrimEnd('/') + "/.well-known/oauth-protected-resource";

    [Fact]
    public async Task GatehouseToken_ApiConfiguredWithAuthorityAndAudienceOnly_Returns200()
    {
        var token = await TokenSource.MintAsync(fixture.Server, fixture.Partner);

        using var response = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"dec_1 for {fixture.Partner.ClientId}", await response.Content.ReadAsStringAsync());
        Assert.Contains(fixture.Backchannel.Exchanges, e => e.Path == "/.well-known/oauth-authorization-server");
        Assert.Contains(fixture.Backchannel.Exchanges, e => e.Path == "/.well-known/jwks.json");
    }

    [Fact]
    public async Task NoToken_Returns401WithResourceMetadataAndNoErrorCode()
    {
        using var response = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal($"Bearer resource_metadata=\"{MetadataUrl}\"", response.Challenge());
    }

    public static TheoryData<string> BadTokens => ["garbage", "tampered-payload", "tampered-signature", "alg-none", "hs256", "unknown-kid", "other-audience"];

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task BadToken_Returns401InvalidToken(string kind)
    {
        var token = await BadTokenAsync(kind);

        using var response = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Challenge();
        Assert.StartsWith("Bearer error=\"invalid_token\", error_description=\"", challenge);
        Assert.EndsWith($"resource_metadata=\"{MetadataUrl}\"", challenge);
        Assert.Equal("invalid_token", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task TokenWithoutRequiredScope_Returns403InsufficientScopeNamingIt()
    {
        var token = await TokenSource.MintAsync(fixture.Server, fixture.Reader);
        using var http = fixture.Api.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/partner/v1/applications") { Content = new StringContent("{}") };
        request.Headers.Authorization = new("Bearer", token);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.StartsWith("Bearer error=\"insufficient_scope\", error_description=", response.Challenge());
        Assert.Contains("scope=\"applications:write\"", response.Challenge());
    }

    [Fact]
    public async Task TokenNarrowedToOtherScope_Returns403OnDecisions()
    {
        var token = await TokenSource.MintAsync(fixture.Server, fixture.Partner, scope: "applications:write");

        using var response = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("error=\"insufficient_scope\"", response.Challenge());
        Assert.Contains("scope=\"decisions:read\"", response.Challenge());
    }

    [Fact]
    public async Task Controller_RequireScopeAttribute_AllowsAndRefuses()
    {
        var reader = await TokenSource.MintAsync(fixture.Server, fixture.Reader);
        using var allowed = await fixture.Api.GetAsync("/mvc/v1/decisions/dec_9", reader);
        using var http = fixture.Api.CreateClient();
        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/mvc/v1/decisions/dec_9");
        delete.Headers.Authorization = new("Bearer", reader);
        using var refused = await http.SendAsync(delete);
        using var anonymous = await fixture.Api.GetAsync("/mvc/v1/decisions/dec_9", null);

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("scope=\"decisions:read applications:write\"", refused.Challenge());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task ProtectedResourceMetadata_Rfc9728Document()
    {
        using var response = await fixture.Api.GetAsync("/.well-known/oauth-protected-resource", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(fixture.Api.BaseAddress.TrimEnd('/'), document.GetProperty("resource").GetString());
        Assert.Equal([fixture.Server.Issuer], document.GetProperty("authorization_servers").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["applications:write", "decisions:read"], document.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["header"], document.GetProperty("bearer_methods_supported").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task ProtectedResourceMetadata_ResourceNotConfigured_NotCachedAndWarnedOnce()
    {
        var logs = new LogCapture();
        await using var api = await ProtectedApi.StartAsync(fixture.Server, o => o.FollowRevocations = false,
            services => services.AddSingleton<ILoggerProvider>(logs));

        using var first = await api.GetAsync("/.well-known/oauth-protected-resource", null);
        using var second = await api.GetAsync("/.well-known/oauth-protected-resource", null);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.True(first.Headers.CacheControl?.NoStore, $"Cache-Control: {first.Headers.CacheControl}");
        Assert.True(second.Headers.CacheControl?.NoStore, $"Cache-Control: {second.Headers.CacheControl}");
        Assert.Single(logs.Lines, l => l.StartsWith("Warning") && l.Contains("GatehouseBearerOptions.Resource"));
    }

    [Fact]
    public async Task ProtectedResourceMetadata_ResourceConfigured_CacheablePublicly()
    {
        await using var api = await ProtectedApi.StartAsync(fixture.Server, o =>
        {
            o.FollowRevocations = false;
            o.Resource = "https://api.example.test";
        });

        using var response = await api.GetAsync("/.well-known/oauth-protected-resource", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.Public, $"Cache-Control: {response.Headers.CacheControl}");
        Assert.Equal(TimeSpan.FromHours(1), response.Headers.CacheControl?.MaxAge);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("https://api.example.test", document.GetProperty("resource").GetString());
    }

    public static TheoryData<string> AppEventStyles => ["handlers assigned", "events replaced"];

    [Theory]
    [MemberData(nameof(AppEventStyles))]
    public async Task AppJwtBearerEvents_SetAfterAddGatehouseBearer_RunAlongsideGatehouse(string style)
    {
        await using var api = await ProtectedApi.StartAsync(fixture.Server, o => o.FollowRevocations = false, services =>
            services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, jwt =>
            {
                Func<TokenValidatedContext, Task> validated = context =>
                {
                    context.Response.Headers["X-App-Validated"] = context.Principal!.FindFirst("client_id")!.Value;
                    return Task.CompletedTask;
                };
                Func<JwtBearerChallengeContext, Task> challenged = context =>
                {
                    context.Response.Headers["X-App-Challenged"] = "yes";
                    return Task.CompletedTask;
                };
                if (style == "events replaced")
                {
                    jwt.Events = new JwtBearerEvents { OnTokenValidated = validated, OnChallenge = challenged };
                }
                else
                {
                    jwt.Events.OnTokenValidated = validated;
                    jwt.Events.OnChallenge = challenged;
                }
            }));
        var token = await TokenSource.MintAsync(fixture.Server, fixture.Partner);

        using var accepted = await api.GetAsync("/partner/v1/decisions/dec_1", token);
        using var anonymous = await api.GetAsync("/partner/v1/decisions/dec_1", null);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(fixture.Partner.ClientId, accepted.Headers.GetValues("X-App-Validated").Single());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("yes", anonymous.Headers.GetValues("X-App-Challenged").Single());
        Assert.StartsWith("Bearer resource_metadata=", anonymous.Challenge()); // Gatehouse's challenge still answers
    }

    [Fact]
    public async Task ForgedUnknownKids_RefreshTheKeySetAtMostOncePerInterval()
    {
        var real = await TokenSource.MintAsync(fixture.Server, fixture.Partner);
        using (var warm = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", real)) Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        var before = fixture.Backchannel.Count("/.well-known/jwks.json");

        for (var i = 0; i < 10; i++)
        {
            using var response = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", WithHeader(real, $"{{\"alg\":\"ES256\",\"kid\":\"forged-{i}\",\"typ\":\"at+jwt\"}}"));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.True(fixture.Backchannel.Count("/.well-known/jwks.json") - before <= 1);
    }

    private async Task<string> BadTokenAsync(string kind)
    {
        var real = await TokenSource.MintAsync(fixture.Server, fixture.Partner);
        var parts = real.Split('.');
        return kind switch
        {
            "garbage" => "not-a-jwt",
            "tampered-payload" => $"{parts[0]}.{Jwt.Encode(Jwt.Payload(real).GetRawText().Replace("decisions:read", "decisions:read partner:manage"))}.{parts[2]}",
            "tampered-signature" => $"{parts[0]}.{parts[1]}.{(parts[2][0] == 'A' ? 'B' : 'A')}{parts[2][1..]}",
            "alg-none" => $"{Jwt.Encode("{\"alg\":\"none\",\"typ\":\"at+jwt\"}")}.{parts[1]}.",
            "hs256" => WithHeader(real, $"{{\"alg\":\"HS256\",\"kid\":\"{Jwt.KeyId(real)}\",\"typ\":\"at+jwt\"}}"),
            "unknown-kid" => WithHeader(real, "{\"alg\":\"ES256\",\"kid\":\"no-such-key\",\"typ\":\"at+jwt\"}"),
            "other-audience" => await TokenSource.MintAsync(fixture.Server, fixture.Internal, audience: "internal/v1"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private static string WithHeader(string token, string headerJson)
    {
        var parts = token.Split('.');
        return $"{Jwt.Encode(headerJson)}.{parts[1]}.{parts[2]}";
    }
}
