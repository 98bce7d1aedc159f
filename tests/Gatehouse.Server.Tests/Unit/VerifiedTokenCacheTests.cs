using Gatehouse.Server.Tokens;

namespace Gatehouse.Server.Tests.Unit;

/// Issue 11, weakness 10: the verified-token cache is bounded and evicts gradually, least recently used first.
public class VerifiedTokenCacheTests
{
    private static VerifiedAccessToken Token(int i) => new($"jti{i}", "cc_client_a", "cc_client_a", "s", "partner/v1", "iss", 0, long.MaxValue, 0, "kid");

    [Fact]
    public void Add_FarBeyondCapacity_StaysBoundedAndKeepsWhatIsUsed()
    {
        var cache = new VerifiedTokenCache(capacity: 400);
        for (var hot = 0; hot < 50; hot++) cache.Add((UInt128)hot, Token(hot));

        // One client floods the cache with 20,000 new tokens while resource servers keep using the hot 50.
        for (var i = 1_000; i < 21_000; i++)
        {
            cache.Add((UInt128)i, Token(i));
            if (i % 50 == 0)
                for (var hot = 0; hot < 50; hot++) Assert.True(cache.TryGet((UInt128)hot, out _), $"hot token {hot} evicted at {i}");
            Assert.InRange(cache.Count, 0, 400 + 50);
        }
    }

    [Fact]
    public void Add_WhenFull_NeverEmptiesTheCacheAtOnce()
    {
        var cache = new VerifiedTokenCache(capacity: 400);
        var smallest = int.MaxValue;
        for (var i = 0; i < 5_000; i++)
        {
            cache.Add((UInt128)i, Token(i));
            if (i >= 400) smallest = Math.Min(smallest, cache.Count);
        }

        Assert.True(smallest >= 300, $"The cache fell to {smallest} entries of 400.");
        Assert.True(cache.TryGet(4_999, out _));
        Assert.False(cache.TryGet(0, out _)); // the least recently used went first
    }

    [Fact]
    public void Remove_DropsTheEntryFromEveryGeneration()
    {
        var cache = new VerifiedTokenCache(capacity: 8);
        cache.Add(1, Token(1));
        for (var i = 10; i < 14; i++) cache.Add((UInt128)i, Token(i)); // 1 now sits in an older generation
        Assert.True(cache.TryGet(1, out _)); // and is copied to the newest

        cache.Remove(1);

        Assert.False(cache.TryGet(1, out _));
    }
}
