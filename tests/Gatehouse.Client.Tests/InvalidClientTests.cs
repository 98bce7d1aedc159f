using Gatehouse.Testing;

namespace Gatehouse.Client.Tests;

public sealed class InvalidClientFixture : GatehouseFixture
{
    public CreatedClient Partner { get; private set; } = null!;

    protected override async Task SeedAsync() => Partner = await CreateClientAsync("invalid-client");
}

/// Seed 002: treat invalid_client as a hard failure — do not retry with the same credentials.
public sealed class InvalidClientTests(InvalidClientFixture fixture) : IClassFixture<InvalidClientFixture>
{
    [Fact]
    public async Task GetToken_WrongSecret_ThrowsInvalidClientAfterOneRequest()
    {
        var recorder = new RecordingHandler();
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, recorder, secret: fixture.Partner.ClientSecret + "x");

        var error = await Assert.ThrowsAsync<GatehouseTokenException>(() => client.GetTokenAsync());

        Assert.True(error.IsInvalidClient);
        Assert.Equal("invalid_client", error.Error);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains("not retried", error.Message);
        Assert.Equal(1, recorder.Count(ClientFactory.TokenPath));
    }

    [Fact]
    public async Task GetToken_AfterInvalidClient_FailsAgainWithoutAskingTheServer()
    {
        var recorder = new RecordingHandler();
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, recorder, secret: "cc_secret_sandbox_wrong");
        await Assert.ThrowsAsync<GatehouseTokenException>(() => client.GetTokenAsync());

        var again = await Assert.ThrowsAsync<GatehouseTokenException>(() => client.GetTokenAsync());

        Assert.True(again.IsInvalidClient);
        Assert.Equal(1, recorder.Count(ClientFactory.TokenPath));
    }

    [Fact]
    public async Task Handler_UnknownClient_ThrowsAndApiIsNeverCalled()
    {
        await using var api = await ScriptedApi.StartAsync((_, response) => ScriptedApi.Ok(response));
        var recorder = new RecordingHandler();
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner with { ClientId = "cc_client_doesnotexist" }, recorder);
        using var http = api.ClientThrough(client);

        var error = await Assert.ThrowsAsync<GatehouseTokenException>(() => http.GetAsync("/partner/v1/decisions/dec_1"));

        Assert.True(error.IsInvalidClient);
        Assert.Empty(api.Requests);
        Assert.Equal(1, recorder.Count(ClientFactory.TokenPath));
    }
}
