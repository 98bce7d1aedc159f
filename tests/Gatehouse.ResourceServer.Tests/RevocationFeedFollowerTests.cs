using System.Collections.Concurrent;
using Gatehouse.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.ResourceServer.Tests;

/// The feed follower against a scripted feed: whatever a page holds, it keeps following.
public sealed class RevocationFeedFollowerTests
{
    [Fact]
    public async Task Follower_MalformedPagesAndAnHourLongRetryAfter_KeepsPollingWithinSeconds()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var polls = new ConcurrentQueue<DateTimeOffset>(); // on the API's clock
        await using var feed = await LoopbackApi.StartAsync(null, app => app.MapGet("/oauth/revocations", (HttpResponse response) =>
        {
            polls.Enqueue(time.GetUtcNow());
            switch (polls.Count)
            {
                case 1: return Page("""{"cursor":"1","has_more":false,"revocations":[{"type":"token","jti":"j1","exp":1e30}]}""");
                case 2: return Page("""{"cursor":null,"has_more":false,"revocations":[]}""");
                case 3:
                    response.Headers.RetryAfter = "3600";
                    return Results.StatusCode(StatusCodes.Status429TooManyRequests);
                default: return Page("""{"cursor":"2","has_more":false,"revocations":[]}""");
            }
        }));
        await using var api = await ProtectedApi.StartAsync(feed.BaseAddress.TrimEnd('/'), o =>
        {
            o.ClientId = "cc_client_api";
            o.ClientSecret = "cc_secret_api";
        }, services => services.AddSingleton<TimeProvider>(time));

        await Eventually.TrueAsync(() =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return polls.Count >= 5;
        }, TimeSpan.FromSeconds(10), "five polls: past an out-of-range exp, a null cursor and a 429");

        var at = polls.ToArray();
        Assert.True(at[3] - at[2] <= TimeSpan.FromSeconds(12), $"polled again {(at[3] - at[2]).TotalSeconds} s after Retry-After: 3600");
    }

    private static IResult Page(string json) => Results.Text(json, "application/json");
}
