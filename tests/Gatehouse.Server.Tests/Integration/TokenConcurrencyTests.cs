using System.Collections.Concurrent;
using System.Net;
using Gatehouse.Server.Tests.Harness;

namespace Gatehouse.Server.Tests.Integration;

public sealed class TokenConcurrencyFixture : GatehouseFixture
{
    public CreatedClient Client { get; private set; } = null!;

    protected override async Task SeedAsync() => Client = await CreateClientAsync("concurrency");
}

public sealed class TokenConcurrencyTests(TokenConcurrencyFixture fixture) : IClassFixture<TokenConcurrencyFixture>
{
    [Fact]
    public async Task Token_500RequestsFrom32ParallelCallers_AllSucceedWithDistinctJti()
    {
        const int total = 500;
        const int callers = 32;
        var next = -1;
        var jtis = new ConcurrentBag<string>();
        var failures = new ConcurrentBag<string>();

        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) < total)
            {
                var response = await fixture.OAuth.RequestTokenBasicAsync(fixture.Client, OAuthTestClient.ClientCredentialsForm("decisions:read"));
                if (response.Status != HttpStatusCode.OK)
                {
                    failures.Add(response.ToString());
                    continue;
                }
                jtis.Add(OAuthAssert.StringProperty(TestJwt.Parse(response.Text("access_token")!).Payload, "jti"));
            }
        })));

        Assert.True(failures.IsEmpty, $"{failures.Count} of {total} requests failed; first:\n{failures.FirstOrDefault()}");
        Assert.Equal(total, jtis.Count);
        Assert.Equal(total, jtis.Distinct().Count());
    }
}
