using System.Diagnostics.Metrics;
using Gatehouse.Client.Caching;
using Gatehouse.Client.Diagnostics;
using Gatehouse.Client.Discovery;
using Gatehouse.Client.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Client;

/// <summary>
/// Gets client-credentials access tokens from a Gatehouse authorization server and keeps one ready:
/// cached in memory (and optionally in a shared <see cref="GatehouseClientOptions.DistributedCache"/>),
/// refreshed in the background before it expires, and requested once however many callers are waiting.
/// Create one per client and scope set, and keep it for the life of the application.
/// </summary>
public sealed class GatehouseClient : IDisposable
{
    /// <summary>The name of the <see cref="IHttpClientFactory"/> client used for discovery and token requests.</summary>
    public const string BackchannelHttpClientName = "Gatehouse.Client.Backchannel";

    /// <summary>The name of the <see cref="Meter"/> the client records on.</summary>
    public const string MeterName = ClientMetrics.MeterName;

    // After invalid_client the same credentials cannot succeed; asking again would only feed the
    // server's failed-authentication throttle, which blocks the whole address.
    private static readonly TimeSpan InvalidClientQuietPeriod = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxBackoffWithoutRetryAfter = TimeSpan.FromSeconds(8);
    // An API that refuses even the token renewed for it moments ago (wrong audience, skewed clock, its own
    // misconfiguration) would otherwise make every call mint a token; renew at most this often for it.
    private static readonly TimeSpan RenewalQuietPeriod = TimeSpan.FromSeconds(30);

    private readonly GatehouseClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ClientMetrics _metrics;
    private readonly DiscoveryCache _discovery;
    private readonly TokenEndpointClient _tokenEndpoint;
    private readonly SharedTokenCache? _shared;
    private readonly HttpClient? _ownedHttp;
    private readonly CancellationTokenSource _disposed = new();

    private readonly object _gate = new();
    private Task<GatehouseToken>? _current;      // completed task holding the cached token, handed out without allocating
    private Task<GatehouseToken>? _flight;       // the one token request in progress
    private ITimer? _refreshTimer;
    private DateTimeOffset _nextRefreshAt;
    private DateTimeOffset _notBefore;           // Retry-After from the token endpoint
    private (GatehouseTokenException Error, DateTimeOffset Until)? _invalidClient;
    private string? _rejectedToken;              // an API said invalid_token: never adopt it again from the shared cache
    private bool _renewalForced;                 // the current token was dropped as rejected: the next one adopted is its renewal
    private (string AccessToken, DateTimeOffset At)? _forcedRenewal;

    /// <summary>A client with its own <see cref="HttpClient"/>, an in-memory cache, no logging and the system clock.</summary>
    public GatehouseClient(GatehouseClientOptions options)
        : this(options, OwnHttpClient(), ownsHttpClient: true, null, null, null)
    {
    }

    /// <summary>A client that sends discovery and token requests through <paramref name="backchannel"/> (not disposed by the client).</summary>
    public GatehouseClient(GatehouseClientOptions options, HttpClient backchannel, ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null, IMeterFactory? meterFactory = null)
        : this(options, backchannel, ownsHttpClient: false, loggerFactory, timeProvider, meterFactory)
    {
    }

    private GatehouseClient(GatehouseClientOptions options, HttpClient http, bool ownsHttpClient, ILoggerFactory? loggerFactory,
        TimeProvider? timeProvider, IMeterFactory? meterFactory)
        : this(options, () => http, loggerFactory, timeProvider, meterFactory)
    {
        if (ownsHttpClient) _ownedHttp = http;
    }

    internal GatehouseClient(GatehouseClientOptions options, Func<HttpClient> http, ILoggerFactory? loggerFactory,
        TimeProvider? timeProvider, IMeterFactory? meterFactory)
    {
        _options = options.Validated();
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Gatehouse.Client");
        _metrics = new ClientMetrics(meterFactory);
        _discovery = new DiscoveryCache(_options, http, _time, _metrics, _logger);
        _tokenEndpoint = new TokenEndpointClient(_options, http, _time, _metrics);
        if (_options.DistributedCache is { } cache)
        {
            var key = TokenCacheKey.For(_options);
            _shared = new SharedTokenCache(cache, key, new TokenProtector(_options.ClientSecret, key), _logger);
        }
    }

    internal GatehouseClientOptions Options => _options;
    internal TimeProvider Time => _time;
    internal ILogger Logger => _logger;
    internal ClientMetrics Metrics => _metrics;

    /// When the refresh timer of the current token fires.
    internal DateTimeOffset NextRefreshAt
    {
        get { lock (_gate) return _nextRefreshAt; }
    }

    /// <summary>
    /// A valid access token. Served from the cache when there is one (the common case completes
    /// synchronously); otherwise waits for the single token request in flight.
    /// </summary>
    /// <exception cref="GatehouseTokenException">No token could be had: see <see cref="GatehouseTokenException.Error"/>.</exception>
    public Task<GatehouseToken> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null)
        {
            var token = current.Result;
            var now = _time.GetUtcNow();
            if (now < token.UsableUntil)
            {
                _metrics.CacheHit("memory");
                // The timer normally refreshes first; this covers a timer that has not fired yet.
                if (now >= token.RefreshAt) RefreshInBackground();
                return current;
            }
        }
        _metrics.CacheMiss();
        return JoinFlight().WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Forgets <paramref name="token"/> (an API answered <c>invalid_token</c>), here and in the shared cache,
    /// so the next <see cref="GetTokenAsync"/> gets a new one. Does nothing if a newer token is already cached.
    /// </summary>
    public async Task InvalidateAsync(GatehouseToken token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        lock (_gate)
        {
            _rejectedToken = token.AccessToken;
            if (_current?.Result.AccessToken == token.AccessToken)
            {
                _current = null;
                _renewalForced = true;
                _refreshTimer?.Dispose();
                _refreshTimer = null;
            }
        }
        if (_shared is not null) await _shared.RemoveIfAsync(token.AccessToken, cancellationToken);
    }

    /// True when <paramref name="token"/> is the renewal that an earlier <c>invalid_token</c> forced, less than 30 s ago.
    internal bool IsRecentForcedRenewal(GatehouseToken token)
    {
        lock (_gate)
            return _forcedRenewal is { } renewal && renewal.AccessToken == token.AccessToken
                && _time.GetUtcNow() - renewal.At < RenewalQuietPeriod;
    }

    private Task<GatehouseToken> JoinFlight()
    {
        lock (_gate)
        {
            // A flight may have landed (and cleared itself) since the caller found the cache empty.
            if (_current is { } current && _time.GetUtcNow() < current.Result.UsableUntil) return current;
            return _flight ??= FlyAsync();
        }
    }

    private async Task<GatehouseToken> FlyAsync()
    {
        await Task.Yield(); // leave JoinFlight's lock before any work, so _flight is set before we clear it
        try
        {
            // Another instance's newer token; not the one this refresh replaces, which (with refreshes spread out)
            // is still in the shared cache until the first instance to refresh replaces it.
            if (_shared is not null && await _shared.GetAsync(_disposed.Token) is { } shared
                && shared.AccessToken != Volatile.Read(ref _current)?.Result.AccessToken
                && _time.GetUtcNow() < shared.RefreshAt && Adopt(shared))
            {
                _metrics.CacheHit("distributed");
                return shared;
            }
            var token = await RequestWithBackoffAsync(_disposed.Token);
            Adopt(token);
            if (_shared is not null) await _shared.SetAsync(token, _disposed.Token);
            return token;
        }
        finally
        {
            // The new token is in _current before the flight ends, so a caller arriving now finds it there.
            lock (_gate) _flight = null;
        }
    }

    /// False for a token an API has rejected since the shared cache handed it out.
    private bool Adopt(GatehouseToken token)
    {
        DateTimeOffset refreshAt;
        lock (_gate)
        {
            if (token.AccessToken == _rejectedToken) return false;
            var now = _time.GetUtcNow();
            _current = Task.FromResult(token);
            _forcedRenewal = _renewalForced ? (token.AccessToken, now) : null;
            _renewalForced = false;
            refreshAt = _nextRefreshAt = RefreshTimeFor(token);
            ScheduleRefresh(refreshAt - now);
        }
        ClientLog.TokenAcquired(_logger, _options.ClientId, token.Scope ?? _options.ScopeSet, token.ExpiresAt - token.IssuedAt, refreshAt);
        return true;
    }

    // Instances sharing a cache hold the same token, so they would all refresh (and mint) at the same moment.
    // Each moves its refresh earlier by a random part of 10% of the lifetime (never before half-way to RefreshAt):
    // the first to refresh mints, and the others find its token in the shared cache. Still >= 60 s before exp.
    private DateTimeOffset RefreshTimeFor(GatehouseToken token)
    {
        if (_shared is null) return token.RefreshAt;
        var spread = Math.Min((token.ExpiresAt - token.IssuedAt).Ticks / 10, (token.RefreshAt - token.IssuedAt).Ticks / 2);
        return token.RefreshAt - TimeSpan.FromTicks((long)(spread * Random.Shared.NextDouble()));
    }

    private void ScheduleRefresh(TimeSpan due)
    {
        _refreshTimer?.Dispose();
        if (_disposed.IsCancellationRequested) return;
        _refreshTimer = _time.CreateTimer(_ => RefreshInBackground(), null,
            due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    /// Callers keep getting the current token meanwhile; only a failure needs handling here.
    private void RefreshInBackground()
    {
        if (_disposed.IsCancellationRequested) return;
        Task<GatehouseToken> flight;
        lock (_gate)
        {
            if (_flight is not null) return;
            flight = _flight = FlyAsync();
        }
        flight.ContinueWith(OnRefreshCompleted, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnRefreshCompleted(Task<GatehouseToken> refresh)
    {
        if (refresh.IsCompletedSuccessfully)
        {
            _metrics.Refresh("success");
            return;
        }
        _metrics.Refresh("failure");
        if (_disposed.IsCancellationRequested) return;
        var error = refresh.Exception?.GetBaseException() as GatehouseTokenException;
        lock (_gate)
        {
            if (_current is null) return;
            var remaining = _current.Result.UsableUntil - _time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                // The token ran out while the server was unreachable. Nobody is served by polling it from here
                // on: the next caller asks (and gets the error) instead.
                _current = null;
                ClientLog.BackgroundRefreshStopped(_logger, _options.ClientId, error?.Error ?? refresh.Exception?.GetBaseException().GetType().Name ?? "cancelled");
                return;
            }
            // Try again before the current token runs out: after Retry-After, else halfway to expiry (at most 30 s).
            var delay = error?.RetryAfter ?? TimeSpan.FromTicks(Math.Clamp(remaining.Ticks / 2, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromSeconds(30).Ticks));
            ClientLog.BackgroundRefreshFailed(_logger, _options.ClientId, error?.Error ?? refresh.Exception?.GetBaseException().GetType().Name ?? "cancelled", delay);
            ScheduleRefresh(delay);
        }
    }

    private async Task<GatehouseToken> RequestWithBackoffAsync(CancellationToken ct)
    {
        if (_invalidClient is { } remembered && _time.GetUtcNow() < remembered.Until) throw remembered.Error;
        TokenFailure? failure = null;
        for (var attempt = 1; attempt <= _options.MaxTokenRequestAttempts; attempt++)
        {
            await WaitForRetryAfterAsync(failure, ct);
            var metadata = await _discovery.GetAsync(ct);
            (var token, failure) = await _tokenEndpoint.RequestAsync(metadata.TokenEndpoint, ct);
            if (token is not null) return token;
            // Retry-After binds this client, not only this call's next attempt: the next GetTokenAsync waits or fails fast too.
            if (failure!.RetryAfter is { } retryAfter) _notBefore = _time.GetUtcNow() + retryAfter;

            if (failure.Error == "invalid_client")
            {
                ClientLog.InvalidClient(_logger, _options.ClientId, failure.Description);
                var error = failure.ToException();
                _invalidClient = (error, _time.GetUtcNow() + InvalidClientQuietPeriod);
                throw error;
            }
            if (!failure.IsTransient || attempt == _options.MaxTokenRequestAttempts) break;

            var delay = failure.RetryAfter ?? Backoff(attempt);
            if (delay > _options.MaxRetryAfter) break;
            // An unreachable or broken endpoint may have moved: read the metadata again before the next try.
            if (failure.Status is null || (int)failure.Status >= 500) _discovery.MarkStale();
            _notBefore = _time.GetUtcNow() + delay;
            _metrics.Retry(failure.RetryAfter is null ? "transient" : "retry_after");
            ClientLog.TokenRequestBackingOff(_logger, _options.ClientId, failure.Error, (int?)failure.Status, delay);
        }
        ClientLog.TokenRequestFailed(_logger, _options.ClientId, failure!.Error, (int?)failure.Status);
        throw failure.ToException();
    }

    private async Task WaitForRetryAfterAsync(TokenFailure? previous, CancellationToken ct)
    {
        var wait = _notBefore - _time.GetUtcNow();
        if (wait <= TimeSpan.Zero) return;
        if (wait > _options.MaxRetryAfter)
            throw new GatehouseTokenException(previous?.Error ?? "rate_limited",
                $"The token endpoint asked to wait {wait.TotalSeconds:0} s, longer than MaxRetryAfter.", previous?.Status, retryAfter: wait);
        await Task.Delay(wait, _time, ct);
    }

    // 0.5 s, 1 s, 2 s … with jitter, so instances that failed together do not retry together.
    private static TimeSpan Backoff(int attempt)
    {
        var seconds = Math.Min(0.5 * Math.Pow(2, attempt - 1), MaxBackoffWithoutRetryAfter.TotalSeconds);
        return TimeSpan.FromSeconds(seconds * (0.8 + 0.4 * Random.Shared.NextDouble()));
    }

    private static HttpClient OwnHttpClient() => new(new SocketsHttpHandler
    {
        // Re-resolve the server's address now and then, as IHttpClientFactory would.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AllowAutoRedirect = false,
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Stops background refresh and releases the client's own <see cref="HttpClient"/>.</summary>
    public void Dispose()
    {
        if (_disposed.IsCancellationRequested) return;
        _disposed.Cancel();
        lock (_gate)
        {
            _refreshTimer?.Dispose();
            _refreshTimer = null;
        }
        _ownedHttp?.Dispose();
        _metrics.Dispose();
    }
}
