using System.Net;
using Gatehouse.Testing;

namespace Gatehouse.ResourceServer.Tests;

/// PrePublish 0: `keys rotate` makes the new key sign at once, so the API meets a kid it has never seen.
public sealed class KeyRotationFixture : GatehouseFixture
{
    public CreatedClient Partner { get; private set; } = null!;

    protected override Dictionary<string, string> Settings
    {
        get
        {
            var settings = base.Settings;
            settings["Gatehouse:Keys:PrePublish"] = "00:00:00";
            return settings;
        }
    }

    protected override async Task SeedAsync() => Partner = await CreateClientAsync("rotation");
}

/// SPEC 6 and issue 4: an unknown kid refreshes the key set, so a rotation needs no restart of the API.
public sealed class KeyRotationTests(KeyRotationFixture fixture) : IClassFixture<KeyRotationFixture>
{
    [Fact]
    public async Task KeyRotation_TokenSignedByNewKey_AcceptedFirstTimeWithoutRestart()
    {
        var backchannel = new RecordingHandler();
        await using var api = await ProtectedApi.StartAsync(fixture.Server, o =>
        {
            o.BackchannelHttpHandler = backchannel;
            o.FollowRevocations = false;
        });
        var before = await TokenSource.MintAsync(fixture.Server, fixture.Partner);
        using (var first = await api.GetAsync("/partner/v1/decisions/dec_1", before)) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var jwksFetches = backchannel.Count("/.well-known/jwks.json");

        await GatehouseCli.RotateKeyAsync(fixture.DataDirectory);
        string after = before;
        await Eventually.TrueAsync(async () =>
        {
            after = await TokenSource.MintAsync(fixture.Server, fixture.Partner);
            return Jwt.KeyId(after) != Jwt.KeyId(before);
        }, TimeSpan.FromSeconds(15), "the server signing with the rotated key");

        using var rotated = await api.GetAsync("/partner/v1/decisions/dec_1", after);
        using var old = await api.GetAsync("/partner/v1/decisions/dec_1", before);

        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.Equal(HttpStatusCode.OK, old.StatusCode); // the retired key stays published until its tokens expire
        Assert.Equal(jwksFetches + 1, backchannel.Count("/.well-known/jwks.json"));
    }
}
