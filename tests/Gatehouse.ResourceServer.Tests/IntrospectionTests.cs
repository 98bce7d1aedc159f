using System.Net;
using Gatehouse.Testing;

namespace Gatehouse.ResourceServer.Tests;

public sealed class IntrospectionFixture : GatehouseFixture
{
    public CreatedClient Partner { get; private set; } = null!;
    public CreatedClient Internal { get; private set; } = null!;
    public CreatedClient ApiCredentials { get; private set; } = null!;
    public LoopbackApi Api { get; private set; } = null!;
    public RecordingHandler Backchannel { get; } = new();

    protected override async Task SeedAsync()
    {
        Partner = await CreateClientAsync("introspection-partner");
        Internal = await CreateClientAsync("introspection-internal", scope: "decisions:read", audience: "internal/v1");
        ApiCredentials = await CreateClientAsync("introspecting-api", scope: "decisions:read");
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Api = await ProtectedApi.StartAsync(Server, o =>
        {
            o.UseIntrospection = true;
            o.IntrospectionCacheDuration = TimeSpan.FromSeconds(1);
            o.FollowRevocations = false; // so only introspection can notice a revocation
            o.ClientId = ApiCredentials.ClientId;
            o.ClientSecret = ApiCredentials.ClientSecret;
            o.BackchannelHttpHandler = Backchannel;
        });
    }

    public override async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await base.DisposeAsync();
    }
}

/// Optional introspection mode (RFC 7662) with a short cache.
public sealed class IntrospectionTests(IntrospectionFixture fixture) : IClassFixture<IntrospectionFixture>
{
    private const string IntrospectPath = "/oauth/introspect";

    [Fact]
    public async Task ActiveToken_Returns200_SecondCallServedFromCache()
    {
        var token = await TokenSource.MintAsync(fixture.Server, fixture.Partner);
        var before = fixture.Backchannel.Count(IntrospectPath);

        using var first = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", token);
        using var second = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", token);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal($"dec_1 for {fixture.Partner.ClientId}", await second.Content.ReadAsStringAsync());
        Assert.Equal(before + 1, fixture.Backchannel.Count(IntrospectPath));
    }

    [Fact]
    public async Task InactiveOrForeignToken_Returns401InvalidToken()
    {
        var otherAudience = await TokenSource.MintAsync(fixture.Server, fixture.Internal, audience: "internal/v1");

        using var garbage = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", "opaque-garbage");
        using var foreign = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", otherAudience);

        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
        Assert.Contains("error=\"invalid_token\"", garbage.Challenge());
        Assert.Equal(HttpStatusCode.Unauthorized, foreign.StatusCode);
    }

    [Fact]
    public async Task RevokedToken_RefusedOnceTheCachedAnswerExpires()
    {
        var token = await TokenSource.MintAsync(fixture.Server, fixture.Partner);
        using (var before = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", token)) Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await TokenSource.RevokeAsync(fixture.Server, fixture.Partner, token);

        await Eventually.TrueAsync(async () =>
        {
            using var response = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", token);
            return response.StatusCode == HttpStatusCode.Unauthorized;
        }, TimeSpan.FromSeconds(3), "the revoked token refused after the 1 s cache");
    }
}
