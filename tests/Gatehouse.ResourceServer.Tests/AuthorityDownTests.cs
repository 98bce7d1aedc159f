using System.Net;
using Gatehouse.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.ResourceServer.Tests;

/// An API that starts while its authority cannot be reached has no keys yet: that says nothing about a token.
public sealed class AuthorityDownTests
{
    private const string Path = "/partner/v1/decisions/dec_1";

    [Fact]
    public async Task AuthorityDownAtStart_TokenGets503WithRetryAfter_MetadataTriedOncePer5Seconds()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var backchannel = new RecordingHandler();
        var nobodyListening = $"http://127.0.0.1:{GatehouseServer.FreeLoopbackPort()}";
        await using var api = await ProtectedApi.StartAsync(nobodyListening, o =>
        {
            o.BackchannelHttpHandler = backchannel;
            o.FollowRevocations = false;
        }, services => services.AddSingleton<TimeProvider>(time));

        for (var i = 0; i < 5; i++)
        {
            using var response = await api.GetAsync(Path, "eyJhbGciOiJFUzI1NiJ9.e30.c2ln");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After");
            Assert.Empty(response.Headers.WwwAuthenticate);
        }
        Assert.Equal(1, backchannel.Attempts);

        time.Advance(TimeSpan.FromSeconds(5));
        using (var later = await api.GetAsync(Path, "eyJhbGciOiJFUzI1NiJ9.e30.c2ln"))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, later.StatusCode);
        Assert.Equal(2, backchannel.Attempts);

        using var anonymous = await api.GetAsync(Path, null); // no token: the usual challenge, nothing fetched
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(2, backchannel.Attempts);
    }
}
