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
    private DateTimeOffset _notBefore;           // Retry-After from the token endpoint
    private (GatehouseTokenException Error, DateTimeOffset Until)? _invalidClient;
    private string? _rejectedToken;              // an API said invalid_token: never adopt it again from the shared cache

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
                _refreshTimer?.Dispose();
                _refreshTimer = null;
            }
        }
        if (_shared is not null) await _shared.RemoveIfAsync(token.AccessToken, cancellationToken);
    }

    private Task<GatehouseToken> JoinFlight()
    {
        lock (_gate) return _flight ??= FlyAsync();
    }

    private async Task<GatehouseToken> FlyAsync()
    {
        await Task.Yield(); // leave JoinFlight's lock before any work, so _flight is set before we clear it
        try
        {
            if (_shared is not null && await _shared.GetAsync(_disposed.Token) is { } shared
                && shared.AccessToken != _rejectedToken && _time.GetUtcNow() < shared.RefreshAt)
            {
                _metrics.CacheHit("distributed");
                Adopt(shared);
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

    private void Adopt(GatehouseToken token)
    {
        ClientLog.TokenAcquired(_logger, _options.ClientId, token.Scope ?? _options.ScopeSet, token.ExpiresAt - token.IssuedAt, token.RefreshAt);
        lock (_gate)
        {
            _current = Task.FromResult(token);
            ScheduleRefresh(token.RefreshAt - _time.GetUtcNow());
        }
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
            // Try again before the current token runs out: after Retry-After, else halfway to expiry (at most 30 s).
            var remaining = _current.Result.UsableUntil - _time.GetUtcNow();
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

            if (failure!.Error == "invalid_client")
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
