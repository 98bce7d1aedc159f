using System.Collections.Concurrent;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Storage;

namespace Gatehouse.Server.Dashboard;

/// What the token endpoint did for one client in one minute.
internal sealed record TokenUsageMinute(string ClientId, long Minute, long Issued, long RateLimited, long Failed);

/// The token endpoint's outcomes per client per minute (SPEC 9's usage chart), counted off the hot path:
/// a dictionary lookup and an Interlocked increment per request. The flusher takes the counts each minute
/// (and at shutdown) and adds them to the store, where every node's counts meet.
internal sealed class TokenUsageCounter(ClientRegistry registry, TimeProvider clock)
{
    private sealed class Counts
    {
        public long Issued;
        public long RateLimited;
        public long Failed;
    }

    private readonly ConcurrentDictionary<(string ClientId, long Minute), Counts> _counts = new();

    public long CurrentMinute => clock.GetUtcNow().ToUnixTimeSeconds() / 60;

    public void Issued(string clientId) => Interlocked.Increment(ref For(clientId).Issued);

    public void RateLimited(string clientId) => Interlocked.Increment(ref For(clientId).RateLimited);

    /// Failed client authentication, counted only for a client that exists (a guessed id costs no memory).
    public void Failed(string clientId)
    {
        if (registry.TryGet(clientId, out _)) Interlocked.Increment(ref For(clientId).Failed);
    }

    private Counts For(string clientId) => _counts.GetOrAdd((clientId, CurrentMinute), static _ => new Counts());

    /// Hands over every count so far; the counters carry on from zero, so nothing is counted twice.
    public IReadOnlyList<TokenUsageMinute> TakePending()
    {
        var taken = new List<TokenUsageMinute>();
        var current = CurrentMinute;
        foreach (var (key, counts) in _counts)
        {
            var minute = new TokenUsageMinute(key.ClientId, key.Minute, Interlocked.Exchange(ref counts.Issued, 0),
                Interlocked.Exchange(ref counts.RateLimited, 0), Interlocked.Exchange(ref counts.Failed, 0));
            if (minute.Issued + minute.RateLimited + minute.Failed > 0) taken.Add(minute);
            // Minutes that are over are dropped once emptied (the current one keeps counting).
            if (key.Minute < current - 1) _counts.TryRemove(key, out _);
        }
        return taken;
    }

    /// Puts back what could not be written, so a failed flush loses nothing.
    public void Restore(IEnumerable<TokenUsageMinute> minutes)
    {
        foreach (var m in minutes)
        {
            var counts = _counts.GetOrAdd((m.ClientId, m.Minute), static _ => new Counts());
            Interlocked.Add(ref counts.Issued, m.Issued);
            Interlocked.Add(ref counts.RateLimited, m.RateLimited);
            Interlocked.Add(ref counts.Failed, m.Failed);
        }
    }

    /// Counts of one client not yet written to the store, for the chart.
    public IEnumerable<TokenUsageMinute> Pending(string clientId) =>
        _counts.Where(kv => kv.Key.ClientId == clientId)
            .Select(kv => new TokenUsageMinute(clientId, kv.Key.Minute, Interlocked.Read(ref kv.Value.Issued),
                Interlocked.Read(ref kv.Value.RateLimited), Interlocked.Read(ref kv.Value.Failed)));
}

/// Writes the counts each minute and once more at shutdown, and forgets minutes older than two days.
internal sealed partial class TokenUsageFlusher(TokenUsageCounter counter, ITokenUsageStore store, TimeProvider clock,
    ILogger<TokenUsageFlusher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await FlushAsync(stoppingToken);
                await store.PruneAsync(counter.CurrentMinute - 2 * 24 * 60, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested) { LogFlushFailed(logger, e); }
        }
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        var pending = counter.TakePending();
        try { await store.AddAsync(pending, ct); }
        catch { counter.Restore(pending); throw; }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try { await FlushAsync(cancellationToken); }
        catch (Exception e) { LogFlushFailed(logger, e); }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing token usage counts failed; they are kept and written next time.")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}

/// The chart's data: the stored minutes of the last 24 hours plus this node's counts not yet written.
internal sealed class DashboardUsage(ITokenUsageStore store, TokenUsageCounter counter)
{
    public const int Minutes = 24 * 60;

    public async Task<Pages.Dashboard.UsageSeries> SeriesAsync(string clientId, CancellationToken ct)
    {
        var last = counter.CurrentMinute;
        var first = last - Minutes + 1;
        var issued = new int[Minutes];
        var limited = new int[Minutes];
        var failed = new int[Minutes];
        foreach (var m in (await store.ReadAsync(clientId, first, ct)).Concat(counter.Pending(clientId)))
        {
            if (m.Minute < first || m.Minute > last) continue;
            var i = (int)(m.Minute - first);
            issued[i] += (int)m.Issued;
            limited[i] += (int)m.RateLimited;
            failed[i] += (int)m.Failed;
        }
        return new Pages.Dashboard.UsageSeries(DateTimeOffset.FromUnixTimeSeconds(first * 60), issued, limited, failed);
    }
}
