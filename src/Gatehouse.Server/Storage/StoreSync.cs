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
    ILogger<StoreSync> logger) : IClientViewRefresher
{
    private long _seen;

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
    }

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
            _seen = change.Sequence;
        }
        if (keysChanged) await keys.ReloadAsync(ct);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change feed was pruned past sequence {Sequence}; reloading everything.")]
    private static partial void LogFeedGap(ILogger logger, long sequence);
}
