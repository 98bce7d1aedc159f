using Gatehouse.Server.Clients;
using Gatehouse.Server.Dashboard;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Server.Tests.Unit;

/// The usage chart's in-memory counts: per client and minute, handed over exactly once, restorable.
public sealed class DashboardTokenUsageCounterTests
{
    readonly FakeTimeProvider clock = new(DateTimeOffset.Parse("2026-12-01T10:00:30Z", System.Globalization.CultureInfo.InvariantCulture));
    readonly ClientRegistry registry = new();

    TokenUsageCounter NewCounter()
    {
        registry.Set(new Client("cc_client_a", "A", [], ["partner/v1"], [GrantTypes.ClientCredentials], null, clock.GetUtcNow(), []));
        return new TokenUsageCounter(registry, clock);
    }

    [Fact]
    public void Counts_PerMinute_AreTakenOnce_AndUnknownClientsCostNothing()
    {
        var counter = NewCounter();
        Parallel.For(0, 1000, _ => counter.Issued("cc_client_a"));
        counter.RateLimited("cc_client_a");
        counter.Failed("cc_client_a");
        counter.Failed("cc_client_guessed");
        clock.Advance(TimeSpan.FromMinutes(1));
        counter.Issued("cc_client_a");

        Assert.Equal(1001, counter.Pending("cc_client_a").Sum(m => m.Issued));
        var taken = counter.TakePending().OrderBy(m => m.Minute).ToArray();
        Assert.Equal([(1000L, 1L, 1L), (1L, 0L, 0L)], taken.Select(m => (m.Issued, m.RateLimited, m.Failed)));
        Assert.Equal(taken[0].Minute + 1, taken[1].Minute);
        Assert.DoesNotContain(taken, m => m.ClientId == "cc_client_guessed");
        Assert.Empty(counter.TakePending());

        counter.Restore(taken);
        Assert.Equal(1001, counter.TakePending().Sum(m => m.Issued));
    }
}
