using Gatehouse.Server.Clients;
using Gatehouse.Server.Tokens;

namespace Gatehouse.Server.Storage;

/// Keeps this node's in-memory views (clients, keys, revocations) in step with the store by following the
/// change feed, so the hot path never reads the database and a change made elsewhere (the CLI, another
/// node) takes effect within one poll interval.
internal sealed partial class StoreSync(
    IChangeFeed feed,
    IClientStore clientStore,
    IRevocationStore revocationStore,
    ClientRegistry clients,
    SigningKeyService keys,
    RevocationList revocations,
    TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<GatehouseOptions> options,
    ILogger<StoreSync> logger) : IClientViewRefresher
{
    private readonly TimeSpan _maxStaleness = options.Value.Sync.MaxStaleness;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private long _seen;
    private long _lastInSyncTimestamp = long.MinValue;

    // One client read-and-replace at a time: a slow read that started before a commit must not
    // overwrite the fresher view a request installed right after that commit.
    private readonly SemaphoreSlim _clientViewLock = new(1, 1);

    /// Everything, from scratch: at start, and when the feed no longer reaches back to what we saw.
    public async Task LoadAllAsync(CancellationToken ct)
    {
        var latest = await feed.LatestAsync(ct);
        await _clientViewLock.WaitAsync(ct);
        try { clients.ReplaceAll(await clientStore.LoadAllAsync(ct)); }
        finally { _clientViewLock.Release(); }
        await keys.ReloadAsync(ct);
        foreach (var token in await revocationStore.LoadUnexpiredAsync(clock.GetUtcNow(), ct))
            revocations.Add(token.Jti, token.ExpiresAt);
        _seen = latest;
        MarkInSync();
    }

    /// False once the store has been unreachable for longer than Gatehouse:Sync:MaxStaleness: this node may
    /// then be missing a revocation made elsewhere, so it must not vouch for tokens or secrets.
    public bool IsInSync => clock.GetElapsedTime(Volatile.Read(ref _lastInSyncTimestamp)) <= _maxStaleness;

    /// Another node announced a change: read the feed now rather than at the next tick.
    public void Wake()
    {
        if (_wake.CurrentCount == 0) try { _wake.Release(); } catch (SemaphoreFullException) { }
    }

    /// Waits for the next poll: the interval, or a Wake, whichever comes first.
    public Task WaitForNextPollAsync(TimeSpan interval, CancellationToken ct) => _wake.WaitAsync(interval, ct);

    private void MarkInSync() => Volatile.Write(ref _lastInSyncTimestamp, clock.GetTimestamp());

    /// Applies every change after the last one seen. Returns how many were applied.
    public async Task<int> PollAsync(CancellationToken ct)
    {
        keys.RecomputeIfDue();
        var changes = await feed.ReadSinceAsync(_seen, ct);
        if (changes is null)
        {
            LogFeedGap(logger, _seen);
            await LoadAllAsync(ct);
            return 0;
        }
        var keysChanged = false;
        var seen = _seen;
        foreach (var change in changes)
        {
            switch (change.Kind)
            {
                case Change.Client:
                    await RefreshClientAsync(change.Id, ct);
                    break;
                case Change.Key:
                    keysChanged = true;
                    break;
                case Change.Revocation:
                    if (await revocationStore.FindAsync(change.Id, ct) is { } token) revocations.Add(token.Jti, token.ExpiresAt);
                    break;
            }
            seen = change.Sequence;
        }
        // The cursor moves only once everything up to it is applied: a failed key reload is retried next poll.
        if (keysChanged) await keys.ReloadAsync(ct);
        _seen = seen;
        MarkInSync();
        return changes.Count;
    }

    public async Task RefreshClientAsync(string clientId, CancellationToken ct)
    {
        await _clientViewLock.WaitAsync(ct);
        try
        {
            if (await clientStore.FindAsync(clientId, ct) is { } client) clients.Set(client);
            else clients.Remove(clientId);
        }
        finally { _clientViewLock.Release(); }
    }

    public async Task ApplyLocallyAsync(string clientId, Func<Client, Client> change, CancellationToken ct)
    {
        await _clientViewLock.WaitAsync(ct);
        try
        {
            if (clients.TryGet(clientId, out var client)) clients.Set(change(client));
        }
        finally { _clientViewLock.Release(); }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change feed was pruned past sequence {Sequence}; reloading everything.")]
    private static partial void LogFeedGap(ILogger logger, long sequence);
}
