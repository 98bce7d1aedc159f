using System.Diagnostics.Metrics;
using Gatehouse.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Client.Tests;

public sealed class SingleFlightFixture : GatehouseFixture
{
    public CreatedClient Partner { get; private set; } = null!;

    protected override async Task SeedAsync() => Partner = await CreateClientAsync("single-flight");
}

/// SPEC 10: one token request however many callers wait.
public sealed class SingleFlightTests(SingleFlightFixture fixture) : IClassFixture<SingleFlightFixture>
{
    [Fact]
    public async Task GetToken_1000ConcurrentCallersEmptyCache_ExactlyOneTokenRequest()
    {
        var recorder = new RecordingHandler();
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, recorder);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var callers = Enumerable.Range(0, 1000).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return await client.GetTokenAsync();
        })).ToArray();

        start.SetResult();
        var tokens = await Task.WhenAll(callers);

        Assert.Equal(1, recorder.Count(ClientFactory.TokenPath));
        Assert.Equal(1, recorder.Count(ClientFactory.DiscoveryPath));
        Assert.Single(tokens.Select(t => t.AccessToken).Distinct());
    }

    [Fact]
    public async Task GetToken_CallerMissesJustAsTheFlightLands_GetsThatTokenWithoutSecondRequest()
    {
        var recorder = new RecordingHandler();
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, recorder);
        Task<GatehouseToken>? first = null;
        var misses = 0;
        // A cache miss is recorded between a caller's look at the cache and its joining the flight. Holding the
        // second caller there until the first flight has landed (and cleared itself) opens that window wide.
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GatehouseClient.MeterName && instrument.Name == "gatehouse.client.cache.misses") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) =>
        {
            if (Interlocked.Increment(ref misses) == 2) first!.Wait();
        });
        listener.Start();

        first = client.GetTokenAsync();
        var second = await Task.Run(() => client.GetTokenAsync());

        Assert.Equal((await first).AccessToken, second.AccessToken);
        Assert.Equal(1, recorder.Count(ClientFactory.TokenPath));
    }

    [Fact]
    public async Task Handler_200ConcurrentApiCallsEmptyCache_ExactlyOneTokenRequest()
    {
        await using var api = await LoopbackApi.StartAsync(null, app =>
            app.MapGet("/partner/v1/ping", (HttpRequest request) => request.Headers.Authorization.ToString().StartsWith("Bearer ey") ? "pong" : "no token"));
        var recorder = new RecordingHandler();
        using var client = ClientFactory.Create(fixture.Server, fixture.Partner, recorder);
        using var http = api.CreateClient(new GatehouseTokenHandler(client) { InnerHandler = new SocketsHttpHandler() });

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => http.GetStringAsync("/partner/v1/ping"))));

        Assert.All(answers, answer => Assert.Equal("pong", answer));
        Assert.Equal(1, recorder.Count(ClientFactory.TokenPath));
    }
}
