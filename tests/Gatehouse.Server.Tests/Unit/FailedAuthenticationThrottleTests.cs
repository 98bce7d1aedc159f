using System.Net;
using Gatehouse.Server.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Server.Tests.Unit;

/// Issue 11, weakness 6: per network (IPv6 per /64), per claimed client id, bounded memory, time-boxed.
public class FailedAuthenticationThrottleTests
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    private FailedAuthenticationThrottle Throttle(int perNetwork = 5, int? perClient = null) =>
        new(Options.Create(new GatehouseOptions
        {
            RateLimits = new() { FailedAuthenticationsPerMinute = perNetwork, FailedAuthenticationsPerClientPerMinute = perClient },
        }), clock);

    private static void Fail(FailedAuthenticationThrottle throttle, string address, string? clientId, int times)
    {
        for (var i = 0; i < times; i++) throttle.RecordFailure(IPAddress.Parse(address), clientId);
    }

    private static bool Refused(FailedAuthenticationThrottle throttle, string address, string? clientId = "cc_client_any") =>
        throttle.IsRefused(IPAddress.Parse(address), clientId, out _);

    [Fact]
    public void IsRefused_NoFailuresAtAll_IsFalse() => Assert.False(Refused(Throttle(), "192.0.2.1"));

    [Fact]
    public void IsRefused_NetworkAtItsLimit_RefusesItAndNoOtherNetwork()
    {
        var throttle = Throttle();
        Fail(throttle, "192.0.2.1", "cc_client_a", 4);
        Assert.False(Refused(throttle, "192.0.2.1"));

        Fail(throttle, "192.0.2.1", "cc_client_b", 1);

        Assert.True(Refused(throttle, "192.0.2.1"));
        Assert.False(Refused(throttle, "192.0.2.2"));
    }

    [Fact]
    public void IsRefused_Ipv6AddressesInOneSlash64_CountAsOneNetwork()
    {
        var throttle = Throttle();
        for (var i = 1; i <= 5; i++) Fail(throttle, $"2001:db8:1:2::{i:x}", $"cc_client_{i}", 1);

        Assert.True(Refused(throttle, "2001:db8:1:2:ffff:ffff:ffff:ffff"));
        Assert.False(Refused(throttle, "2001:db8:1:3::1"));
    }

    [Fact]
    public void IsRefused_Ipv4MappedIpv6_IsTheIpv4Address()
    {
        var throttle = Throttle();
        Fail(throttle, "::ffff:198.51.100.7", "cc_client_a", 5);

        Assert.True(Refused(throttle, "198.51.100.7"));
    }

    [Fact]
    public void IsRefused_ClientIdUnderAttack_RefusesNetworksThatFailedButNotCleanOnes()
    {
        var throttle = Throttle(perNetwork: 20, perClient: 3);
        Fail(throttle, "192.0.2.1", "cc_client_victim", 1);
        Fail(throttle, "192.0.2.2", "cc_client_victim", 1);
        Fail(throttle, "192.0.2.3", "cc_client_victim", 1);

        Assert.True(Refused(throttle, "192.0.2.1", "cc_client_victim"));
        Assert.False(Refused(throttle, "192.0.2.1", "cc_client_other"));
        Assert.False(Refused(throttle, "192.0.2.99", "cc_client_victim"));
    }

    [Fact]
    public void IsRefused_AfterTwoQuietWindows_Forgets()
    {
        var throttle = Throttle();
        Fail(throttle, "192.0.2.1", "cc_client_a", 5);
        Assert.True(throttle.IsRefused(IPAddress.Parse("192.0.2.1"), null, out var retryAfter));
        Assert.InRange(retryAfter, 1, 120);

        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.True(Refused(throttle, "192.0.2.1")); // the previous window still counts
        clock.Advance(TimeSpan.FromSeconds(61));

        Assert.False(Refused(throttle, "192.0.2.1"));
    }

    [Fact]
    public void IsRefused_AfterAddressSpraying_StillRefusesTheSprayerAndServesACleanNetwork()
    {
        var throttle = Throttle();
        var random = new Random(11);
        Span<byte> bytes = stackalloc byte[16];
        // 20,000 distinct /64s failing once each, every one claiming a fresh client id.
        for (var i = 0; i < 20_000; i++)
        {
            random.NextBytes(bytes);
            throttle.RecordFailure(new IPAddress(bytes), $"cc_client_spray{i}");
        }
        Fail(throttle, "192.0.2.1", "cc_client_a", 5);

        Assert.True(Refused(throttle, "192.0.2.1"));
        Assert.False(Refused(throttle, "198.51.100.1", "cc_client_legit"));
        Assert.Equal(1_572_864, FailedAuthenticationThrottle.MemoryBytes); // fixed, whatever was sprayed
    }
}
