using Gatehouse.Server.Clients;
using Gatehouse.Server.Scaling;
using Gatehouse.Server.Storage;
using Gatehouse.Server.Tokens;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Hosting;

/// Follows the change feed every poll interval, and at once when another node signals a change.
internal sealed partial class ChangeFeedFollower(StoreSync sync, IChangeSignal signal, IOptions<GatehouseOptions> options,
    ILogger<ChangeFeedFollower> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = signal.SubscribeAsync(sync.Wake, stoppingToken).ContinueWith(
            t => LogSubscribeFailed(logger, t.Exception!), TaskContinuationOptions.OnlyOnFaulted);

        var interval = options.Value.Sync.PollInterval;
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await sync.WaitForNextPollAsync(interval, stoppingToken);
                await sync.PollAsync(stoppingToken);
                if (failing) LogRecovered(logger);
                failing = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception e)
            {
                if (!failing) LogPollFailed(logger, e);
                failing = true;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the change feed; serving from memory and retrying.")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "The change feed is readable again; this node is in sync.")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not subscribe to change signals; relying on polling.")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);
}

/// Slow chores: flush secret last-used times, rotate keys when due, forget what has expired.
internal sealed partial class Housekeeping(
    SecretUsageRecorder usage, IClientStore clients, SigningKeyService keys, RevocationList revocations,
    IRevocationStore revocationStore, IChangeFeed feed, IGrantStore grants, Sessions.SignInThrottle signInThrottle, ISessionStore sessions,
    TimeProvider clock,
    ILogger<Housekeeping> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try { await RunOnceAsync(stoppingToken); }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested) { LogChoreFailed(logger, e); }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task RunOnceAsync(CancellationToken ct)
    {
        await FlushUsageAsync(ct);
        await keys.RotateIfDueAsync(ct);
        // A revocation elsewhere may have left no signer (e.g. the CLI died before creating the successor).
        if (keys.Current.SignerFor(SigningAlgorithms.ES256) is null) await keys.EnsureSignersAsync(ct);
        revocations.PruneExpired();
        var now = clock.GetUtcNow();
        await revocationStore.PruneExpiredAsync(now, ct);
        await feed.PruneAsync(now - TimeSpan.FromDays(1), ct);
        await grants.PruneExpiredAsync(now, ct);
        await signInThrottle.PruneAsync(ct);
        await sessions.PruneAsync(now, ct);
    }

    /// Also called at shutdown, so a graceful stop loses no last-used time.
    public async Task FlushUsageAsync(CancellationToken ct)
    {
        var pending = usage.TakePending();
        try { await clients.RecordSecretUsageAsync(pending, ct); }
        catch { usage.Restore(pending); throw; }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try { await FlushUsageAsync(cancellationToken); }
        catch (Exception e) { LogChoreFailed(logger, e); }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A housekeeping chore failed; it will run again.")]
    private static partial void LogChoreFailed(ILogger logger, Exception exception);
}
