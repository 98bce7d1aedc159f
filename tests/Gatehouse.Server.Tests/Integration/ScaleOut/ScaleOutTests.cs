using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.ScaleOut;

/// Issue 5: identical stateless nodes sharing one PostgreSQL and one Redis, each a real server process.
public sealed class ScaleOutTests
{
    [Fact]
    public async Task Token_MintedOnNode1_IntrospectsActiveOnNode2()
    {
        await using var backend = await SharedBackend.CreateAsync();
        var client = await backend.CreateClientAsync("partner");
        var nodes = await backend.StartNodesAsync(2);
        try
        {
            var token = await nodes[0].OAuth.GetAccessTokenAsync(client);

            var introspection = await nodes[1].OAuth.IntrospectAsync(token, client);

            OAuthAssert.Active(introspection);
            Assert.Equal(SharedBackend.PublicIssuer, OAuthAssert.StringProperty(introspection.Json, "iss"));
        }
        finally { await DisposeAllAsync(nodes); }
    }

    [Fact]
    public async Task Revocation_OnNode2_SeenOnNode1WithinOneSecond()
    {
        await using var backend = await SharedBackend.CreateAsync();
        var client = await backend.CreateClientAsync("partner");
        var nodes = await backend.StartNodesAsync(2);
        try
        {
            var token = await nodes[0].OAuth.GetAccessTokenAsync(client);
            OAuthAssert.Active(await nodes[0].OAuth.IntrospectAsync(token, client));

            OAuthAssert.Status(HttpStatusCode.OK, await nodes[1].OAuth.RevokeAsync(token, client));

            await Eventually.Within(TimeSpan.FromSeconds(1), () => nodes[0].OAuth.IntrospectAsync(token, client),
                r => r.Status == HttpStatusCode.OK && r.Json.GetProperty("active").GetBoolean() == false,
                "a token revoked on node 2 is inactive on node 1");
        }
        finally { await DisposeAllAsync(nodes); }
    }

    [Fact]
    public async Task RateLimit_TenPerSecond_HoldsAcrossNodesNotPerNode()
    {
        await using var backend = await SharedBackend.CreateAsync();
        var client = await backend.CreateClientAsync("limited", rateLimit: 10);
        var nodes = await backend.StartNodesAsync(2);
        try
        {
            // Start just after a second boundary so the whole burst falls in one window of the shared counter.
            await Task.Delay(TimeSpan.FromMilliseconds(1000 - DateTimeOffset.UtcNow.Millisecond + 20));
            var started = DateTimeOffset.UtcNow;
            var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
                nodes[i % 2].OAuth.RequestTokenBasicAsync(client.ClientId, client.ClientSecret)));
            var sameSecond = DateTimeOffset.UtcNow.ToUnixTimeSeconds() == started.ToUnixTimeSeconds();

            var granted = responses.Count(r => r.Status == HttpStatusCode.OK);
            Assert.All(responses, r => Assert.Contains(r.Status, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
            // 10 per second for the client, whichever node it calls; a burst straddling a boundary may see two windows.
            Assert.True(sameSecond ? granted == 10 : granted <= 20, $"granted {granted} of 30 (one window: {sameSecond})");
            Assert.True(granted < 20 || !sameSecond, "the limit must not be counted per node");
        }
        finally { await DisposeAllAsync(nodes); }
    }

    [Fact]
    public async Task Client_CreatedOnNode1_WorksOnNode3WithinOneSecond()
    {
        await using var backend = await SharedBackend.CreateAsync();
        var operatorClient = await backend.CreateClientAsync("ops", scope: "clients:manage");
        var nodes = await backend.StartNodesAsync(3);
        try
        {
            var operatorToken = await nodes[0].OAuth.GetAccessTokenAsync(operatorClient, audience: SharedBackend.PublicIssuer);
            using var create = new HttpRequestMessage(HttpMethod.Post, "/oauth/clients")
            {
                Content = JsonContent.Create(new { name = "created on node 1", scope = "decisions:read" }),
            };
            create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", operatorToken);
            var created = await nodes[0].OAuth.SendAsync(create);
            OAuthAssert.Status(HttpStatusCode.Created, created);
            var clientId = OAuthAssert.StringProperty(created.Json, "client_id");
            var secret = OAuthAssert.StringProperty(created.Json, "client_secret");

            var token = await Eventually.Within(TimeSpan.FromSeconds(1), () => nodes[2].OAuth.RequestTokenBasicAsync(clientId, secret),
                r => r.Status == HttpStatusCode.OK, "a client created on node 1 authenticates on node 3");
            Assert.Equal("decisions:read", token.Text("scope"));
        }
        finally { await DisposeAllAsync(nodes); }
    }

    [Fact]
    public async Task Node_KilledWithSigkillUnderLoad_OtherNodesServeWithoutErrors()
    {
        await using var backend = await SharedBackend.CreateAsync();
        var client = await backend.CreateClientAsync("partner", rateLimit: 1_000_000);
        var nodes = await backend.StartNodesAsync(3);
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(4));
            var failures = new ConcurrentBag<string>();
            var served = 0;
            var load = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
            {
                var node = nodes[1 + worker % 2];
                while (!stop.IsCancellationRequested)
                {
                    var response = await node.OAuth.RequestTokenBasicAsync(client.ClientId, client.ClientSecret);
                    if (response.Status == HttpStatusCode.OK) Interlocked.Increment(ref served);
                    else failures.Add($"node {node.Port}: {response}");
                }
            })).ToArray();

            await Task.Delay(TimeSpan.FromSeconds(1.5));
            await nodes[0].KillAsync();
            await Task.WhenAll(load);

            Assert.Empty(failures);
            Assert.True(served > 100, $"only {served} tokens served");
            Assert.True(nodes[0].HasExited);
        }
        finally { await DisposeAllAsync(nodes); }
    }

    [Fact]
    public async Task Postgres_UnreachableUnderLoad_AnswersOnly503ThenRecovers()
    {
        await using var backend = await SharedBackend.CreateAsync(proxyPostgres: true);
        var client = await backend.CreateClientAsync("partner", rateLimit: 1_000_000);
        var node = await backend.StartNodeAsync();
        try
        {
            var token = await node.OAuth.GetAccessTokenAsync(client);
            var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
            var slowest = TimeSpan.Zero;
            var outage = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource();
            var load = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var timer = Stopwatch.StartNew();
                    // Token requests (served from memory while it is current), introspection, and revocation
                    // (a write that must reach the store).
                    var response = (worker % 3) switch
                    {
                        0 => await node.OAuth.RequestTokenBasicAsync(client.ClientId, client.ClientSecret),
                        1 => await node.OAuth.IntrospectAsync(token, client),
                        _ => await node.OAuth.RevokeAsync(await MintOrGarbageAsync(node, client), client),
                    };
                    lock (statuses) if (timer.Elapsed > slowest) slowest = timer.Elapsed;
                    statuses.AddOrUpdate(response.Status, 1, (_, n) => n + 1);
                    if (response.Status == HttpStatusCode.ServiceUnavailable)
                    {
                        Assert.Equal("temporarily_unavailable", response.Text("error"));
                        Assert.NotNull(response.Header("Retry-After"));
                    }
                }
            })).ToArray();

            await Task.Delay(TimeSpan.FromSeconds(1));
            backend.PostgresProxy!.Cut();
            await Task.Delay(TimeSpan.FromSeconds(7)); // longer than Gatehouse:Sync:MaxStaleness (5 s)
            var readyDuringOutage = await node.Management.GetAsync("/readyz");
            backend.PostgresProxy.Restore();

            // Full recovery, no restart: every kind of request succeeds again.
            await Eventually.Within(TimeSpan.FromSeconds(10), () => node.OAuth.RequestTokenBasicAsync(client.ClientId, client.ClientSecret),
                r => r.Status == HttpStatusCode.OK, "token requests succeed after PostgreSQL returns");
            await Eventually.Within(TimeSpan.FromSeconds(10), async () => await node.OAuth.RevokeAsync(await node.OAuth.GetAccessTokenAsync(client), client),
                r => r.Status == HttpStatusCode.OK, "revocations succeed after PostgreSQL returns");
            stop.Cancel();
            await Task.WhenAll(load);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, readyDuringOutage.Status);
            Assert.True(statuses.Keys.All(s => s is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable),
                "only 200 and 503: " + string.Join(", ", statuses.Select(kv => $"{(int)kv.Key}x{kv.Value}")));
            Assert.True(statuses.GetValueOrDefault(HttpStatusCode.ServiceUnavailable) > 0, "the outage was visible as 503");
            Assert.True(slowest < TimeSpan.FromSeconds(6), $"a request hung for {slowest}");
            OAuthAssert.Status(HttpStatusCode.OK, await node.Management.GetAsync("/readyz"));
        }
        finally { await node.DisposeAsync(); }
    }

    private static async Task<string> MintOrGarbageAsync(GatehouseProcess node, CreatedClient client)
    {
        var response = await node.OAuth.RequestTokenBasicAsync(client.ClientId, client.ClientSecret);
        return response.Status == HttpStatusCode.OK ? response.Text("access_token")! : "not-a-token";
    }

    private static async Task DisposeAllAsync(IEnumerable<GatehouseProcess> nodes)
    {
        foreach (var node in nodes) await node.DisposeAsync();
    }
}
