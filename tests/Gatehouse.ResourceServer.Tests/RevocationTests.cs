using System.Diagnostics;
using System.Net;
using Gatehouse.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.ResourceServer.Tests;

public sealed class RevocationFixture : GatehouseFixture
{
    public CreatedClient Partner { get; private set; } = null!;
    public CreatedClient Victim { get; private set; } = null!;
    /// The API's own credentials, for GET /oauth/revocations.
    public CreatedClient ApiCredentials { get; private set; } = null!;
    public LoopbackApi Api { get; private set; } = null!;

    protected override async Task SeedAsync()
    {
        Partner = await CreateClientAsync("revocation-partner");
        Victim = await CreateClientAsync("revocation-victim");
        ApiCredentials = await CreateClientAsync("partner-api", scope: "decisions:read", resourceServer: true);
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Api = await ProtectedApi.StartAsync(Server, o =>
        {
            o.ClientId = ApiCredentials.ClientId;
            o.ClientSecret = ApiCredentials.ClientSecret;
        });
    }

    public override async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await base.DisposeAsync();
    }
}

/// SPEC 5/10: revocations reach the API through GET /oauth/revocations within 5 s, with no per-request call.
public sealed class RevocationTests(RevocationFixture fixture) : IClassFixture<RevocationFixture>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task RevokedToken_RefusedWithin5Seconds()
    {
        var token = await TokenSource.MintAsync(fixture.Server, fixture.Partner);
        var untouched = await TokenSource.MintAsync(fixture.Server, fixture.Partner);
        using (var before = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", token)) Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await TokenSource.RevokeAsync(fixture.Server, fixture.Partner, token);
        var clock = Stopwatch.StartNew();
        HttpResponseMessage? refused = null;
        await Eventually.TrueAsync(async () =>
        {
            refused = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", token);
            return refused.StatusCode == HttpStatusCode.Unauthorized;
        }, Within, "the revoked token refused");

        Assert.True(clock.Elapsed < Within, $"took {clock.Elapsed}");
        Assert.Contains("error=\"invalid_token\"", refused!.Challenge());
        Assert.Contains("revoked", refused!.Challenge());
        using var other = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", untouched);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task ClientWideRevocation_EarlierTokensRefusedWithin5Seconds_LaterTokensAccepted()
    {
        var earlier = await TokenSource.MintAsync(fixture.Server, fixture.Victim);
        var bystander = await TokenSource.MintAsync(fixture.Server, fixture.Partner);
        using (var before = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", earlier)) Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await GatehouseCli.RevokeAllTokensAsync(fixture.DataDirectory, fixture.Victim.ClientId);
        var clock = Stopwatch.StartNew();
        await Eventually.TrueAsync(async () =>
        {
            using var response = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", earlier);
            return response.StatusCode == HttpStatusCode.Unauthorized;
        }, Within, "tokens minted before the cut-off refused");
        Assert.True(clock.Elapsed < Within, $"took {clock.Elapsed}");

        // Minted after the cut-off (possibly in the same second): iat_us decides, and it is later.
        var later = await TokenSource.MintAsync(fixture.Server, fixture.Victim);
        using var accepted = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", later);
        using var unaffected = await fixture.Api.GetAsync("/partner/v1/decisions/dec_1", bystander);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, unaffected.StatusCode);
    }

    [Fact]
    public async Task RevokedToken_PastExpButWithinClockSkew_StillRefused()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var backchannel = new RecordingHandler();
        await using var api = await ProtectedApi.StartAsync(fixture.Server, o =>
        {
            o.ClientId = fixture.ApiCredentials.ClientId;
            o.ClientSecret = fixture.ApiCredentials.ClientSecret;
            o.BackchannelHttpHandler = backchannel;
        }, services => services.AddSingleton<TimeProvider>(time));
        var token = await TokenSource.MintAsync(fixture.Server, fixture.Partner);
        await TokenSource.RevokeAsync(fixture.Server, fixture.Partner, token);
        await FeedPollsAsync(time, backchannel, 2);
        using (var refused = await api.GetAsync("/partner/v1/decisions/dec_1", token)) Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        // On the API's clock the token is 10 s past exp: JwtBearer still accepts it (ClockSkew 30 s), so the
        // feed's entry must still be there after the follower has tidied up.
        time.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(Jwt.Payload(token).GetProperty("exp").GetInt64()) + TimeSpan.FromSeconds(10));
        await FeedPollsAsync(time, backchannel, 2);

        using var response = await api.GetAsync("/partner/v1/decisions/dec_1", token);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("revoked", response.Challenge());
    }

    /// The follower waits on the fake clock between polls: move it on until <paramref name="polls"/> more have
    /// been answered (two, so the first one's entries are applied).
    private static async Task FeedPollsAsync(FakeTimeProvider time, RecordingHandler backchannel, int polls)
    {
        var target = backchannel.Count("/oauth/revocations") + polls;
        await Eventually.TrueAsync(() =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return backchannel.Count("/oauth/revocations") >= target;
        }, TimeSpan.FromSeconds(10), $"{polls} revocation feed polls");
    }
}
