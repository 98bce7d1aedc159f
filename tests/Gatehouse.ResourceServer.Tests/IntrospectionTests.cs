using System.Net;
using Gatehouse.Testing;

namespace Gatehouse.ResourceServer.Tests;

public sealed class IntrospectionFixture : GatehouseFixture
{
    public CreatedClient Partner { get; private set; } = null!;
    public CreatedClient Internal { get; private set; } = null!;
    public CreatedClient Victim { get; private set; } = null!;
    public CreatedClient ApiCredentials { get; private set; } = null!;
    public LoopbackApi Api { get; private set; } = null!;
    public RecordingHandler Backchannel { get; } = new();

    protected override async Task SeedAsync()
    {
        Partner = await CreateClientAsync("introspection-partner");
        Internal = await CreateClientAsync("introspection-internal", scope: "decisions:read", audience: "internal/v1");
        Victim = await CreateClientAsync("introspection-victim");
        ApiCredentials = await CreateClientAsync("introspecting-api", scope: "decisions:read", resourceServer: true);
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

    [Fact]
    public async Task ClientWideCutoff_TokenMintedLaterInTheSameSecond_Accepted()
    {
        var backchannel = new RecordingHandler();
        await using var api = await ProtectedApi.StartAsync(fixture.Server, o =>
        {
            o.UseIntrospection = true;
            o.ClientId = fixture.ApiCredentials.ClientId;
            o.ClientSecret = fixture.ApiCredentials.ClientSecret;
            o.BackchannelHttpHandler = backchannel; // the revocation feed is followed too
        });
        // Whole-second iat gets this case wrong: a cut-off, then a token in the same second (usually the first try).
        string? later = null;
        for (var attempt = 0; attempt < 5 && later is null; attempt++)
        {
            await GatehouseCli.RevokeAllTokensAsync(fixture.DataDirectory, fixture.Victim.ClientId);
            var token = await TokenSource.MintAsync(fixture.Server, fixture.Victim);
            var cutoff = await TokenSource.ClientCutoffAsync(fixture.Server, fixture.ApiCredentials, fixture.Victim.ClientId)
                ?? throw new Xunit.Sdk.XunitException("the feed lists no cut-off");
            var issuedAt = Jwt.Payload(token).GetProperty("iat_us").GetInt64();
            Assert.True(issuedAt > cutoff);
            if (issuedAt / 1_000_000 == cutoff / 1_000_000) later = token;
        }
        Assert.NotNull(later);
        var polls = backchannel.Count("/oauth/revocations");
        await Eventually.TrueAsync(() => backchannel.Count("/oauth/revocations") >= polls + 2, TimeSpan.FromSeconds(10), "the API read the cut-off");

        using var response = await api.GetAsync("/partner/v1/decisions/dec_1", later);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
