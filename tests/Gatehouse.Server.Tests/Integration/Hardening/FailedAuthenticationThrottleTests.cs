using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration.Hardening;

/// Issue 11, weakness 6: the failed-authentication throttle refuses before it evaluates, counts per claimed
/// client_id as well as per network, and still serves a correct secret from a network with no recent failures.
/// Each test runs its own server (limit 5) and speaks from its own loopback addresses (127.0.0.0/8 is all
/// loopback on Linux), so each address is a network of its own to the server.
public sealed class FailedAuthenticationThrottleTests : IAsyncLifetime
{
    const string WrongSecret = "cc_secret_sandbox_WrongWrongWrongWrongWrongWrongWrong000000000";
    static int nextSubnet = Random.Shared.Next(10, 200);

    readonly ScratchDirectory directory = new();
    readonly byte subnet = (byte)Interlocked.Increment(ref nextSubnet);
    GatehouseProcess server = null!;
    CreatedClient victim = null!;
    CreatedClient bystander = null!;

    public async Task InitializeAsync()
    {
        victim = await GatehouseCli.CreateClientAsync(directory.Path, "victim", rateLimit: GatehouseFixture.UnthrottledRateLimit);
        bystander = await GatehouseCli.CreateClientAsync(directory.Path, "bystander", rateLimit: GatehouseFixture.UnthrottledRateLimit);
        server = await GatehouseProcess.StartAsync(directory.Path, new Dictionary<string, string>
        {
            ["Gatehouse:RateLimits:FailedAuthenticationsPerMinute"] = "5",
        });
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        directory.Dispose();
    }

    /// A token request sent from 127.{subnet}.0.{host}.
    async Task<(HttpStatusCode Status, string Body, RetryConditionHeaderValue? RetryAfter)> TokenFromAsync(byte host, string clientId, string secret)
    {
        var local = new IPAddress([127, subnet, 0, host]);
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(IPAddress.Loopback, server.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(server.BaseAddress) };
        using var request = new HttpRequestMessage(HttpMethod.Post, OAuthPaths.Token)
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = OAuthTestClient.Basic(clientId, secret);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Token_ThrottledNetworkWithTheRightSecret_Returns429BeforeEvaluating()
    {
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await TokenFromAsync(1, victim.ClientId, WrongSecret)).Status);

        var right = await TokenFromAsync(1, victim.ClientId, victim.ClientSecret);

        Assert.Equal(HttpStatusCode.TooManyRequests, right.Status);
        Assert.Equal("rate_limited", JsonDocument.Parse(right.Body).RootElement.GetProperty("error").GetString());
        Assert.InRange(right.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 120);
        Assert.DoesNotContain("access_token", right.Body);
    }

    [Fact]
    public async Task Token_ThrottledNetwork_IsRefusedForEveryClient()
    {
        for (var i = 0; i < 5; i++) await TokenFromAsync(2, $"cc_client_guess{i}", WrongSecret);

        Assert.Equal(HttpStatusCode.TooManyRequests, (await TokenFromAsync(2, bystander.ClientId, bystander.ClientSecret)).Status);
    }

    [Fact]
    public async Task Token_ClientGuessedFromManyNetworks_RefusesNetworksThatFailedAndServesCleanOnes()
    {
        // One guess each from five networks: no network reaches its limit, but the client id does.
        for (byte host = 10; host < 15; host++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await TokenFromAsync(host, victim.ClientId, WrongSecret)).Status);

        // A network that guessed gets no further answer for this client, even with the right secret...
        Assert.Equal(HttpStatusCode.TooManyRequests, (await TokenFromAsync(10, victim.ClientId, victim.ClientSecret)).Status);
        // ...but may still use another client (its own limit is not reached).
        Assert.Equal(HttpStatusCode.OK, (await TokenFromAsync(10, bystander.ClientId, bystander.ClientSecret)).Status);
        // The legitimate client, from a network with no recent failures, is served.
        Assert.Equal(HttpStatusCode.OK, (await TokenFromAsync(50, victim.ClientId, victim.ClientSecret)).Status);
    }

    [Fact]
    public async Task Token_RightSecretFromACleanNetworkWhileAnotherIsThrottled_Returns200()
    {
        for (var i = 0; i < 8; i++) await TokenFromAsync(3, victim.ClientId, WrongSecret);

        Assert.Equal(HttpStatusCode.OK, (await TokenFromAsync(4, victim.ClientId, victim.ClientSecret)).Status);
    }
}
