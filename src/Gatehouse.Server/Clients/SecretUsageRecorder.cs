using System.Collections.Concurrent;
using Gatehouse.Server.Storage;

namespace Gatehouse.Server.Clients;

/// last_used_at per secret (seed 002: "the dashboard shows last-used timestamps per secret"), kept in
/// memory on the hot path and written in batches by the housekeeping loop: accurate to the flush interval.
internal sealed class SecretUsageRecorder(TimeProvider clock)
{
    private ConcurrentDictionary<string, SecretUsage> _pending = new(StringComparer.Ordinal);

    public void Record(string clientId, string secretId)
    {
        var now = clock.GetUtcNow();
        var pending = _pending;
        // One write per secret per second at most: the dashboard needs minutes, not microseconds.
        if (pending.TryGetValue(secretId, out var seen) && now - seen.LastUsedAt < TimeSpan.FromSeconds(1)) return;
        pending[secretId] = new SecretUsage(clientId, secretId, now);
    }

    /// A use recorded here but not yet written to the store.
    public DateTimeOffset? PendingLastUsed(string secretId) =>
        _pending.TryGetValue(secretId, out var usage) ? usage.LastUsedAt : null;

    /// Hands over what was recorded since the last call.
    public IReadOnlyCollection<SecretUsage> TakePending()
    {
        var taken = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<string, SecretUsage>(StringComparer.Ordinal));
        return taken.Values.ToArray();
    }

    /// Puts back what could not be written, so a failed flush loses nothing.
    public void Restore(IEnumerable<SecretUsage> usages)
    {
        foreach (var usage in usages) _pending.AddOrUpdate(usage.SecretId, usage, (_, newer) => newer);
    }
}
